using System.Globalization;

namespace RnnMl.Bench;

/// <summary>
/// Plain option parsing for a subcommand: take the options it knows (<c>--flag</c>, <c>--name value</c> or
/// <c>--name=value</c>), then <see cref="EnsureEmpty"/> rejects whatever is left.
/// </summary>
internal sealed class OptionReader(IEnumerable<string> args)
{
    private readonly List<string> rest = [.. args];

    /// <summary>Whether <paramref name="name"/> (e.g. <c>--quick</c>) was given; consumes it.</summary>
    public bool Flag(string name) => rest.RemoveAll(a => a == name) > 0;

    /// <summary>The integer value of <c>name value</c> or <c>name=value</c>, or <paramref name="fallback"/>; consumes it.</summary>
    /// <exception cref="UsageException">The value is missing, not an integer, or below <paramref name="min"/>.</exception>
    public int Int(string name, int fallback, int min = int.MinValue)
    {
        string? text = Value(name);
        if (text is null) return fallback;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < min)
            throw new UsageException($"{name} needs an integer of at least {min}, got '{text}'");
        return value;
    }

    /// <summary>The raw value of <c>name value</c> or <c>name=value</c>, or null; consumes it.</summary>
    /// <exception cref="UsageException">The option is given without a value.</exception>
    public string? Value(string name)
    {
        string? found = null;
        for (int i = 0; i < rest.Count; i++)
        {
            if (rest[i] == name)
            {
                if (i + 1 >= rest.Count) throw new UsageException($"{name} needs a value");
                found = rest[i + 1];
                rest.RemoveRange(i, 2);
                i--;
            }
            else if (rest[i].StartsWith(name + "=", StringComparison.Ordinal))
            {
                found = rest[i][(name.Length + 1)..];
                rest.RemoveAt(i);
                i--;
            }
        }
        return found;
    }

    /// <summary>Fails on any argument no Take call consumed.</summary>
    /// <exception cref="UsageException">Something is left over.</exception>
    public void EnsureEmpty()
    {
        if (rest.Count > 0)
            throw new UsageException($"unknown argument{(rest.Count > 1 ? "s" : "")}: {string.Join(" ", rest)}");
    }
}
