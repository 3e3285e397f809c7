package dev.parasol.actors;

import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Compares a message with its copy read back from the wire, field by field: records component by component, arrays
 * element by element (a record's {@code equals} compares arrays by identity), collections in order, and integral
 * numbers by value.
 * <p>
 * The last rule is for untyped values ({@code Map<String, Object>} of a {@code JobResult}): CBOR does not say whether
 * {@code 5} was an {@code Integer} or a {@code Long}, and Jackson reads it back as the narrowest that holds it.
 * Floating-point values keep their width (CBOR has float32 and float64), so they are compared exactly.
 */
final class SameValue
{
    private SameValue()
    {
    }

    static void assertSameValue(final Object expected, final Object actual, final String where)
    {
        if (expected == null)
        {
            assertNull(actual, where);
            return;
        }
        assertNotNull(actual, where);
        if (isIntegral(expected) && isIntegral(actual))
        {
            assertEquals(((Number)expected).longValue(), ((Number)actual).longValue(), where);
        }
        else if (expected.getClass().isRecord())
        {
            assertEquals(expected.getClass(), actual.getClass(), where);
            for (final RecordComponent component : expected.getClass().getRecordComponents())
            {
                assertSameValue(read(component, expected), read(component, actual), where + "." + component.getName());
            }
        }
        else if (expected.getClass().isArray())
        {
            assertEquals(expected.getClass(), actual.getClass(), where);
            assertEquals(Array.getLength(expected), Array.getLength(actual), where + ".length");
            for (int i = 0; i < Array.getLength(expected); i++)
            {
                assertSameValue(Array.get(expected, i), Array.get(actual, i), where + "[" + i + "]");
            }
        }
        else if (expected instanceof Map<?, ?> map)
        {
            assertTrue(actual instanceof Map<?, ?>, where + ": a java.util.Map, not " + actual.getClass().getName());
            final Map<?, ?> other = (Map<?, ?>)actual;
            assertEquals(map.keySet(), other.keySet(), where + ".keySet");
            for (final Map.Entry<?, ?> entry : map.entrySet())
            {
                assertSameValue(entry.getValue(), other.get(entry.getKey()), where + "[" + entry.getKey() + "]");
            }
        }
        else if (expected instanceof Set<?>)
        {
            assertTrue(actual instanceof Set<?>, where + ": a java.util.Set, not " + actual.getClass().getName());
            assertEquals(expected, actual, where);
        }
        else if (expected instanceof List<?> list)
        {
            assertTrue(actual instanceof List<?>, where + ": a java.util.List, not " + actual.getClass().getName());
            final List<?> other = (List<?>)actual;
            assertEquals(list.size(), other.size(), where + ".size");
            final Iterator<?> it = other.iterator();
            int i = 0;
            for (final Object element : list)
            {
                assertSameValue(element, it.next(), where + "[" + i++ + "]");
            }
        }
        else
        {
            assertEquals(expected, actual, where);
        }
    }

    private static boolean isIntegral(final Object value)
    {
        return value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte;
    }

    private static Object read(final RecordComponent component, final Object record)
    {
        try
        {
            final Method accessor = component.getAccessor();
            accessor.setAccessible(true);
            return accessor.invoke(record);
        }
        catch (final ReflectiveOperationException ex)
        {
            return fail("cannot read " + component + " of " + record.getClass().getName(), ex);
        }
    }
}
