using System.Collections;
using System.Reflection;

namespace Wharf.Hosting;

/// <summary>
/// The shape of every valid configuration key, taken by reflection from the option classes the host binds: objects
/// (named properties), maps (any key) and lists (numeric indexes), down to leaves (values).
/// </summary>
public abstract record SettingNode
{
    /// <summary>A value; no key goes below it.</summary>
    public sealed record Leaf : SettingNode;

    /// <summary>A section owned by .NET itself (<c>Logging</c>): any key below it is passed through unchecked.</summary>
    public sealed record Any : SettingNode;

    /// <summary>Named children, case-insensitive as .NET configuration is.</summary>
    public sealed record Object(IReadOnlyDictionary<string, SettingNode> Children) : SettingNode;

    /// <summary>A dictionary: any key, each holding <paramref name="Value"/>.</summary>
    public sealed record Map(SettingNode Value) : SettingNode;

    /// <summary>A list or array: keys 0, 1, 2…, each holding <paramref name="Item"/>.</summary>
    public sealed record List(SettingNode Item) : SettingNode;

    /// <summary>The node for an options type; several types bound to one section merge their properties.</summary>
    public static SettingNode For(params Type[] types)
    {
        var children = new Dictionary<string, SettingNode>(StringComparer.OrdinalIgnoreCase);
        foreach (var type in types)
        {
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (property.GetIndexParameters().Length > 0 || property.GetMethod is null)
                {
                    continue;
                }

                var node = OfType(property.PropertyType, depth: 0);
                // The binder sets writable properties, and fills read-only collections and objects in place.
                if (property.SetMethod is { IsPublic: true } || node is not Leaf)
                {
                    children[property.Name] = node;
                }
            }
        }

        return new Object(children);
    }

    private static SettingNode OfType(Type type, int depth)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (depth > 8 || IsScalar(type))
        {
            return new Leaf();
        }

        if (type.IsArray)
        {
            return new List(OfType(type.GetElementType()!, depth + 1));
        }

        var dictionary = Generic(type, typeof(IDictionary<,>)) ?? Generic(type, typeof(IReadOnlyDictionary<,>));
        if (dictionary is not null)
        {
            return new Map(OfType(dictionary[1], depth + 1));
        }

        var sequence = Generic(type, typeof(IEnumerable<>));
        if (sequence is not null)
        {
            return new List(OfType(sequence[0], depth + 1));
        }

        return typeof(IEnumerable).IsAssignableFrom(type) ? new Leaf() : For(type);
    }

    private static bool IsScalar(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
        || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(Guid) || type == typeof(Uri);

    private static Type[]? Generic(Type type, Type definition) =>
        (type.IsGenericType && type.GetGenericTypeDefinition() == definition ? type : null)?.GetGenericArguments()
        ?? type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == definition)?.GetGenericArguments();
}
