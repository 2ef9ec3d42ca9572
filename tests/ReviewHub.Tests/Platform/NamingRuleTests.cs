using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Azure.Functions.Worker;

namespace ReviewHub.Tests.Platform;

/// <summary>The naming rules of docs/architecture.md ("Names"), checked so that new code follows them.</summary>
public sealed partial class NamingRuleTests
{
    [Fact]
    public void Every_class_holding_functions_ends_in_Functions()
    {
        var offenders = typeof(ReviewHubServices).Assembly.GetTypes()
            .Where(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance
                    | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Any(m => m.GetCustomAttribute<FunctionAttribute>() is not null))
            .Where(t => !t.Name.EndsWith("Functions", StringComparison.Ordinal))
            .Select(t => t.FullName)
            .ToList();

        Assert.Empty(offenders);
    }

    [Fact]
    public void Every_source_file_is_named_for_the_type_it_holds()
    {
        var root = Path.Combine(TestPaths.RepositoryRoot, "functions");
        var offenders = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(file => !IsNamedForItsType(file))
            .Select(file => Path.GetRelativePath(root, file))
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Empty(offenders);
    }

    [Fact]
    public void The_file_rule_sees_a_file_named_for_no_type_it_holds()
    {
        var file = Path.Combine(Path.GetTempPath(), $"SomeMessages-{Guid.NewGuid():N}.cs");
        File.WriteAllText(file, "namespace X;\n\npublic sealed record Some(int A);\n");
        try
        {
            Assert.False(IsNamedForItsType(file));
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>A file X.cs (or X.Part.cs for a partial type) declares a top-level type X; the one exception is
    /// <c>&lt;Feature&gt;HttpContracts.cs</c>, the request and response records of one feature's HTTP API.</summary>
    private static bool IsNamedForItsType(string file)
    {
        var name = Path.GetFileName(file).Split('.', '-')[0];
        if (name.EndsWith("HttpContracts", StringComparison.Ordinal))
        {
            return true;
        }

        return TopLevelType().Matches(File.ReadAllText(file))
            .Any(m => string.Equals(m.Groups["name"].Value, name, StringComparison.Ordinal));
    }

    [GeneratedRegex(@"^(public|internal|file)\b[^=(\r\n]*?\b(class|record|interface|struct|enum)\s+(?<name>[A-Z]\w*)",
        RegexOptions.Multiline)]
    private static partial Regex TopLevelType();
}
