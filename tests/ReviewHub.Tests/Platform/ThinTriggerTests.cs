using System.Text.RegularExpressions;

namespace ReviewHub.Tests.Platform;

/// <summary>
/// Triggers stay thin (docs/architecture.md): a <c>[Function]</c> method binds, checks access, validates and calls
/// its feature's operation. A body over <see cref="MaxBodyLines"/> lines is logic that belongs in a plain class.
/// </summary>
public sealed partial class ThinTriggerTests
{
    private const int MaxBodyLines = 30;

    [Fact]
    public void Every_function_method_body_is_at_most_30_lines()
    {
        var root = Path.Combine(TestPaths.RepositoryRoot, "functions");
        var offenders = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .SelectMany(file => FunctionBodies(File.ReadAllText(file))
                .Where(body => body.Lines > MaxBodyLines)
                .Select(body => $"{Path.GetRelativePath(root, file)}: {body.Name} ({body.Lines} lines)"))
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Empty(offenders);
    }

    [Fact]
    public void The_rule_measures_a_body_and_ignores_braces_in_route_templates()
    {
        var body = string.Join('\n', Enumerable.Range(0, 40).Select(i => $"        var x{i} = {i};"));
        var source = "    [Function(nameof(Long))]\n    public async Task Long(\n"
            + "        [HttpTrigger(AuthorizationLevel.Anonymous, \"get\", Route = \"a/{id}\")] HttpRequest req)\n"
            + "    {\n" + body + "\n    }\n\n"
            + "    [Function(nameof(Short))]\n    public Task Short() => Task.CompletedTask;\n";

        var measured = FunctionBodies(source).ToDictionary(b => b.Name, b => b.Lines);

        Assert.Equal(42, measured["Long"]);
        Assert.Equal(1, measured["Short"]);
    }

    /// <summary>Each <c>[Function(...)]</c> method's name and the lines of its body (braces included; an expression
    /// body counts its lines). String literals are blanked first: route templates hold braces.</summary>
    private static IEnumerable<(string Name, int Lines)> FunctionBodies(string source)
    {
        var lines = source.Split('\n').Select(line => StringLiteral().Replace(line, "\"\"")).ToArray();
        for (var i = 0; i < lines.Length; i++)
        {
            var attribute = FunctionAttribute().Match(lines[i]);
            if (!attribute.Success)
            {
                continue;
            }
            var start = i;
            while (start < lines.Length && !lines[start].Contains('{', StringComparison.Ordinal)
                && !lines[start].Contains("=>", StringComparison.Ordinal))
            {
                start++;
            }
            yield return (attribute.Groups["name"].Value, BodyLength(lines, start));
        }
    }

    private static int BodyLength(string[] lines, int start)
    {
        var end = start;
        if (!lines[start].Contains('{', StringComparison.Ordinal))
        {
            while (!lines[end].TrimEnd().EndsWith(';'))
            {
                end++;
            }
            return end - start + 1;
        }
        var depth = 0;
        for (; end < lines.Length; end++)
        {
            depth += lines[end].Count(c => c == '{') - lines[end].Count(c => c == '}');
            if (depth <= 0)
            {
                break;
            }
        }
        return end - start + 1;
    }

    [GeneratedRegex(@"^\s*\[Function\(nameof\((?<name>\w+)\)\)\]")]
    private static partial Regex FunctionAttribute();

    [GeneratedRegex(@"""(?:[^""\\]|\\.)*""")]
    private static partial Regex StringLiteral();
}
