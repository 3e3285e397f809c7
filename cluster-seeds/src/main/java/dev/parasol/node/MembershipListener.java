package dev.parasol.node;

import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

import java.util.Locale;

/**
 * Logs every membership and reachability change the node sees, with the member's address, roles and the size of
 * the cluster, so that an operator can follow joins, drains and failures in the node's log.
 */
final class MembershipListener extends AbstractBehavior<ClusterEvent.ClusterDomainEvent>
{
    private final Cluster cluster;

    private MembershipListener(final ActorContext<ClusterEvent.ClusterDomainEvent> context)
    {
        super(context);
        cluster = Cluster.get(context.getSystem());
        cluster.subscriptions().tell(
            Subscribe.create(context.getSelf().<ClusterEvent.MemberEvent>narrow(), ClusterEvent.MemberEvent.class));
        cluster.subscriptions().tell(Subscribe.create(
            context.getSelf().<ClusterEvent.ReachabilityEvent>narrow(), ClusterEvent.ReachabilityEvent.class));
    }

    static Behavior<ClusterEvent.ClusterDomainEvent> create()
    {
        return Behaviors.setup(MembershipListener::new);
    }

    @Override
    public Receive<ClusterEvent.ClusterDomainEvent> createReceive()
    {
        return newReceiveBuilder()
            .onMessage(ClusterEvent.MemberEvent.class, this::onMemberEvent)
            .onMessage(ClusterEvent.UnreachableMember.class, this::onUnreachableMember)
            .onMessage(ClusterEvent.ReachableMember.class, this::onReachableMember)
            .build();
    }

    private Behavior<ClusterEvent.ClusterDomainEvent> onMemberEvent(final ClusterEvent.MemberEvent event)
    {
        final Member member = event.member();
        getContext().getLog().info("member {} {}: status {}, roles {}; {} members", member.address(),
            eventName(event), member.status(), member.getRoles(), memberCount());
        return this;
    }

    private Behavior<ClusterEvent.ClusterDomainEvent> onUnreachableMember(final ClusterEvent.UnreachableMember event)
    {
        getContext().getLog().warn("member {} unreachable (roles {}); the Split Brain Resolver decides once the " +
            "cluster is stable", event.member().address(), event.member().getRoles());
        return this;
    }

    private Behavior<ClusterEvent.ClusterDomainEvent> onReachableMember(final ClusterEvent.ReachableMember event)
    {
        getContext().getLog().info("member {} reachable again", event.member().address());
        return this;
    }

    private int memberCount()
    {
        int count = 0;
        for (final Member ignored : cluster.state().getMembers())
        {
            count++;
        }
        return count;
    }

    private static String eventName(final ClusterEvent.MemberEvent event)
    {
        final String name = event.getClass().getSimpleName();
        return name.startsWith("Member") ? name.substring("Member".length()).toLowerCase(Locale.ROOT) : name;
    }
}
