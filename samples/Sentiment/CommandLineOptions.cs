using System.Globalization;

namespace RnnMl.Samples.Sentiment;

/// <summary>The samples' option parsing and value checks (also compiled into samples/Translation).</summary>
internal static class CommandLineOptions
{
    /// <summary>Options with a value each (<c>--name value</c> or <c>--name=value</c>, names lower-cased); "--" ends the options (everything after it is positional).</summary>
    public static List<(string Name, string Value)> Parse(IReadOnlyList<string> args, bool allowPositional, out List<string> positional, string positionalHint)
    {
        var options = new List<(string, string)>();
        positional = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            if (a == "--")
            {
                positional.AddRange(args.Skip(i + 1));
                break;
            }
            if (!a.StartsWith("--", StringComparison.Ordinal) || a.Length == 2)
            {
                if (!allowPositional)
                    throw new CommandLineException($"unexpected argument '{a}' (options start with --; {positionalHint})");
                positional.Add(a);
                continue;
            }
            string name = a, value;
            int eq = a.IndexOf('=');
            if (eq > 0)
            {
                name = a[..eq];
                value = a[(eq + 1)..];
            }
            else
            {
                if (i + 1 >= args.Count || (args[i + 1].StartsWith("--", StringComparison.Ordinal) && args[i + 1].Length > 2))
                    throw new CommandLineException($"option '{a}' needs a value");
                value = args[++i];
            }
            if (value.Length == 0)
                throw new CommandLineException($"option '{name}' needs a value");
            options.Add((name.ToLowerInvariant(), value));
        }
        return options;
    }

    public static int Int(string name, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n >= min && n <= max
            ? n
            : throw Bad(name, value, $"a whole number from {min} to {max:N0}");

    public static CommandLineException Bad(string name, string value, string expected) =>
        new($"{name}: '{value}' is not valid; expected {expected}");

    /// <summary>A number in [min, max], or a CommandLineException naming the option.</summary>
    public static double Number(string name, string value, double min, double max) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) && x >= min && x <= max
            ? x
            : throw Bad(name, value, $"a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}");
}
