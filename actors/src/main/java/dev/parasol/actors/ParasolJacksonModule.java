package dev.parasol.actors;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;

import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * The Jackson module of the control plane, which Pekko registers with the {@code jackson-cbor} binding of every
 * {@link CborSerializable} message (see {@code reference.conf} of this module).
 * <p>
 * It carries a {@link Path} as the text it was written with, {@link Path#toString()}, read back with
 * {@link Path#of(String, String...)}. Jackson's default writes {@code path.toUri()}, which resolves a relative path
 * against the sender's working directory: a job submitted with {@code data-dir = data/fashion} from a laptop would
 * reach a worker node as {@code file:///home/alice/data/fashion}. As text, a relative path is resolved by the node
 * that uses it, which is what lets every node keep its own copy of the data set.
 * <p>
 * Everything else of the control plane is plain records, enums, strings, numbers, {@code java.time} values,
 * collections and typed {@code ActorRef}s, which the modules Pekko lists already handle; engine types stay free of
 * Jackson annotations.
 */
public final class ParasolJacksonModule extends SimpleModule
{
    private static final long serialVersionUID = 1L;

    /**
     * Register the {@link Path} serializer and deserializer. Pekko calls this through reflection.
     */
    public ParasolJacksonModule()
    {
        super("parasol-control-plane");
        addSerializer(Path.class, ToStringSerializer.instance);
        addDeserializer(Path.class, new PathDeserializer());
    }

    /**
     * Reads a path from its text, as written by {@link ToStringSerializer}.
     */
    static final class PathDeserializer extends StdScalarDeserializer<Path>
    {
        private static final long serialVersionUID = 1L;

        PathDeserializer()
        {
            super(Path.class);
        }

        /**
         * {@inheritDoc}
         */
        @Override
        public Path deserialize(final JsonParser parser, final DeserializationContext context) throws IOException
        {
            if (parser.currentToken() != JsonToken.VALUE_STRING)
            {
                return (Path)context.handleUnexpectedToken(Path.class, parser);
            }
            final String text = parser.getText();
            try
            {
                return Path.of(text);
            }
            catch (final InvalidPathException ex)
            {
                return (Path)context.handleWeirdStringValue(Path.class, text, "expected a file-system path: %s",
                    ex.getMessage());
            }
        }
    }
}
