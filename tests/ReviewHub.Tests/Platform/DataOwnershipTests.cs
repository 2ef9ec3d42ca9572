using System.Reflection;
using System.Text.RegularExpressions;

namespace ReviewHub.Tests.Platform;

/// <summary>
/// Each feature owns its tables and the queues its triggers consume (docs/architecture.md, "Who owns what"): it
/// declares them in its own <c>*Tables</c>/<c>*Queues</c> class, the composition root collects the declarations, and
/// no other feature's source names them. Other features go through the operations the owner offers.
/// </summary>
public sealed partial class DataOwnershipTests
{
    private static readonly string Functions = Path.Combine(TestPaths.RepositoryRoot, "functions");

    /// <summary>Every <c>*Tables</c> and <c>*Queues</c> class, with the folder (feature) that declares it.</summary>
    private static Dictionary<string, string> Declarers() =>
        Directory.EnumerateFiles(Functions, "*.cs", SearchOption.AllDirectories)
            .Where(f => DeclarationFile().IsMatch(Path.GetFileName(f)))
            .ToDictionary(f => Path.GetFileNameWithoutExtension(f), FeatureOf, StringComparer.Ordinal);

    [Fact]
    public void Every_declared_table_and_queue_is_collected_once_for_provisioning()
    {
        var declared = typeof(ReviewHubServices).Assembly.GetTypes()
            .Where(t => t.IsAbstract && t.IsSealed && DeclarationFile().IsMatch(t.Name + ".cs"))
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static)
                .Where(f => f.IsLiteral)
                .Select(f => (IsTable: t.Name.EndsWith("Tables", StringComparison.Ordinal),
                    Name: (string)f.GetValue(null)!)))
            .ToList();
        var catalog = ReviewHubStorage.Catalog;

        Assert.Equal(declared.Where(d => d.IsTable).Select(d => d.Name).Order(StringComparer.Ordinal),
            catalog.Tables.Order(StringComparer.Ordinal));
        Assert.Equal(declared.Where(d => !d.IsTable).Select(d => d.Name).Order(StringComparer.Ordinal),
            catalog.Queues.Order(StringComparer.Ordinal));
        Assert.Equal(catalog.Features.Sum(f => f.Tables.Count), catalog.Tables.Count);
        Assert.Equal(catalog.Features.Sum(f => f.Queues.Count), catalog.Queues.Count);
    }

    [Fact]
    public void No_feature_names_another_features_table()
    {
        var offenders = Uses(TableUse()).ToList();

        Assert.Empty(offenders);
    }

    /// <summary>A queue is declared by the feature whose message it carries (new-reviews: the reviews feature
    /// announces, delivery listens); whoever binds it, exactly one trigger consumes each declared queue.</summary>
    [Fact]
    public void Every_declared_queue_has_exactly_one_consumer()
    {
        var bound = Directory.EnumerateFiles(Functions, "*.cs", SearchOption.AllDirectories)
            .SelectMany(file => QueueTrigger().Matches(File.ReadAllText(file)).Select(m => m.Groups["queue"].Value))
            .ToList();
        var constants = typeof(ReviewHubServices).Assembly.GetTypes()
            .Where(t => t.IsAbstract && t.IsSealed && t.Name.EndsWith("Queues", StringComparison.Ordinal))
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral)
                .Select(f => (Key: $"{t.Name}.{f.Name}", Queue: (string)f.GetValue(null)!)))
            .ToDictionary(c => c.Key, c => c.Queue, StringComparer.Ordinal);

        Assert.All(bound, b => Assert.True(constants.ContainsKey(b), $"{b} is not a declared queue"));
        Assert.Equal(ReviewHubStorage.Catalog.Queues.Order(StringComparer.Ordinal),
            bound.Select(b => constants[b]).Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// Reviews and replies call App Store Connect for an app with what the integrations feature answers through
    /// <see cref="ReviewHub.Integrations.AppConnections"/> (which key, whether it may now); the connection rows and
    /// the stores that keep them are the integrations feature's own.
    /// </summary>
    [Fact]
    public void No_feature_names_the_integrations_features_rows_or_stores()
    {
        var own = IntegrationsOwnTypes();
        var offenders = Directory.EnumerateFiles(Functions, "*.cs", SearchOption.AllDirectories)
            .Where(file => FeatureOf(file) != "Integrations" && Path.GetFileName(file) != "ReviewHubStorage.cs")
            .SelectMany(file => Identifier().Matches(File.ReadAllText(file))
                .Where(m => own.Contains(m.Value))
                .Select(m => $"{Path.GetRelativePath(Functions, file)}: {m.Value}"))
            .Distinct()
            .ToList();

        Assert.Contains("IntegrationEntity", own);
        Assert.Contains("IntegrationStore", own);
        Assert.Empty(offenders);
    }

    /// <summary>The rows (<see cref="ReviewHub.Storage.TableRow"/>s) and stores of the integrations feature.</summary>
    private static HashSet<string> IntegrationsOwnTypes() =>
        typeof(ReviewHubServices).Assembly.GetTypes()
            .Where(t => t.Namespace == "ReviewHub.Integrations"
                && (t.IsSubclassOf(typeof(ReviewHub.Storage.TableRow))
                    || t.Name.EndsWith("Store", StringComparison.Ordinal)))
            .Select(t => t.Name)
            .ToHashSet(StringComparer.Ordinal);

    [Fact]
    public void The_ownership_scan_sees_a_foreign_table()
    {
        var source = "var rows = tables.GetTableClient(ReviewTables.Reviews);";

        Assert.Equal("ReviewTables", TableUse().Match(source).Groups["owner"].Value);
        Assert.NotEqual("Delivery", Declarers()["ReviewTables"]);
    }

    /// <summary>"file: Owner.Name" for every use, outside the composition root, in a feature that does not own
    /// it.</summary>
    private static IEnumerable<string> Uses(Regex pattern)
    {
        var declarers = Declarers();
        foreach (var file in Directory.EnumerateFiles(Functions, "*.cs", SearchOption.AllDirectories))
        {
            if (Path.GetFileName(file) == "ReviewHubStorage.cs")
            {
                continue;
            }
            foreach (Match use in pattern.Matches(File.ReadAllText(file)))
            {
                var owner = use.Groups["owner"].Value;
                if (declarers.TryGetValue(owner, out var feature) && feature != FeatureOf(file))
                {
                    yield return $"{Path.GetRelativePath(Functions, file)}: {use.Value}";
                }
            }
        }
    }

    private static string FeatureOf(string file) =>
        Path.GetRelativePath(Functions, file).Split(Path.DirectorySeparatorChar)[0];

    [GeneratedRegex(@"^\w+(Tables|Queues)\.cs$")]
    private static partial Regex DeclarationFile();

    [GeneratedRegex(@"\b(?<owner>\w+Tables)\.\w+")]
    private static partial Regex TableUse();

    [GeneratedRegex(@"QueueTrigger\((?<queue>\w+Queues\.\w+)")]
    private static partial Regex QueueTrigger();

    [GeneratedRegex(@"\b[A-Z]\w*\b")]
    private static partial Regex Identifier();
}
