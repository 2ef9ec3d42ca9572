using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ReviewHub.Tests.Platform;

/// <summary>
/// azure-pipelines.yml and its templates against Microsoft's published Azure Pipelines YAML schema (vendored in
/// Platform/Schemas with its source, version and licence): a task that does not exist, or no longer does (as the
/// preview UseNode@1), an input the task does not have, or a misspelt keyword fails here rather than in the first run
/// on Azure DevOps.
/// </summary>
public sealed partial class PipelineSchemaTests
{
    private static readonly string SchemaPath = Path.Combine(TestPaths.RepositoryRoot,
        "tests", "ReviewHub.Tests", "Platform", "Schemas", "azure-pipelines-service-schema.json");

    private static readonly Lazy<JsonSchema> Schema = new(LoadSchema);

    /// <summary>azure-pipelines.yml and every template under infra/pipelines, from the repository root.</summary>
    private static IReadOnlyList<string> PipelineFiles() =>
    [
        "azure-pipelines.yml",
        .. Directory.EnumerateFiles(
                Path.Combine(TestPaths.RepositoryRoot, "infra", "pipelines"), "*.yml", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(TestPaths.RepositoryRoot, path).Replace('\\', '/'))
            .Order(StringComparer.Ordinal),
    ];

    public static TheoryData<string> Files => new(PipelineFiles());

    [Theory]
    [MemberData(nameof(Files))]
    public void The_pipeline_file_validates_against_the_published_schema(string file)
    {
        var yaml = File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, file));

        Assert.True(IsValid(yaml), $"{file} does not follow the Azure Pipelines schema: {Explain(yaml)}");
    }

    [Fact]
    public void Every_template_the_pipeline_uses_is_validated()
    {
        var validated = PipelineFiles();
        var used = validated.SelectMany(file => TemplateReferences(file)).ToList();

        Assert.NotEmpty(used);
        Assert.All(used, template => Assert.Contains(template, validated));
    }

    /// <summary>The minimal pipeline the cases below break one way each; it must pass, or they prove nothing.</summary>
    private const string ValidPipeline = """
        trigger: none
        pool:
          vmImage: ubuntu-latest
        steps:
          - task: NodeTool@0
            inputs:
              versionSpec: 22.x
          - task: UseDotNet@2
            inputs:
              packageType: sdk
              useGlobalJson: true
          - bash: ./scripts/test.sh
            displayName: Test
        """;

    [Fact]
    public void The_valid_control_pipeline_passes()
    {
        Assert.True(IsValid(ValidPipeline), Explain(ValidPipeline));
    }

    [Fact]
    public void A_task_input_may_use_an_alias_the_schema_lists()
    {
        // AzureFunctionApp@2 names its connection connectedServiceNameARM, with azureSubscription as an alias.
        const string pipeline = """
            steps:
              - task: AzureFunctionApp@2
                inputs:
                  azureSubscription: reviewhub-dev
                  appType: functionAppLinux
                  appName: func-reviewhub-dev
            """;

        Assert.True(IsValid(pipeline), Explain(pipeline));
    }

    [Theory]
    [InlineData("the preview task UseNode@1", "task: NodeTool@0", "task: UseNode@1")]
    [InlineData("an input the task does not have", "versionSpec: 22.x", "version: 22.x")]
    [InlineData("a misspelt step keyword", "- task: NodeTool@0", "- tasks: NodeTool@0")]
    [InlineData("a boolean input that is not a boolean", "useGlobalJson: true", "useGlobalJson: sometimes")]
    [InlineData("an unknown pipeline keyword", "trigger: none", "triggers: none")]
    [InlineData("an unknown task", "task: UseDotNet@2", "task: UseDotNet@99")]
    public void The_schema_check_rejects_an_invalid_pipeline(string mistake, string valid, string invalid)
    {
        Assert.Contains(valid, ValidPipeline, StringComparison.Ordinal);
        var pipeline = ValidPipeline.Replace(valid, invalid, StringComparison.Ordinal);

        Assert.False(IsValid(pipeline), $"The schema check accepted {mistake}");
    }

    // The flag answer stops at the first failure; the details are worth their cost only when a test fails.
    private static bool IsValid(string yaml) =>
        Schema.Value.Evaluate(ToInstance(yaml), new EvaluationOptions { OutputFormat = OutputFormat.Flag }).IsValid;

    /// <summary>Where the document breaks the schema (the deepest places: the rest only repeat them).</summary>
    private static string Explain(string yaml)
    {
        var results = Schema.Value.Evaluate(ToInstance(yaml),
            new EvaluationOptions { OutputFormat = OutputFormat.List });
        var failures = (results.Details ?? []).Where(d => d.Errors is { Count: > 0 }).ToList();
        var deepest = failures.Count == 0 ? 0 : failures.Max(d => d.InstanceLocation.SegmentCount);
        var found = failures.Where(d => d.InstanceLocation.SegmentCount == deepest)
            .SelectMany(d => d.Errors!.Values.Select(error => $"{d.InstanceLocation}: {error}"))
            .Distinct()
            .Take(5)
            .ToList();
        return results.IsValid ? "valid" : string.Join("; ", found);
    }

    private static JsonElement ToInstance(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var document = stream.Documents.Count == 0 ? null : ToJson(stream.Documents[0].RootNode);
        return JsonSerializer.SerializeToElement(document);
    }

    /// <summary>
    /// YAML as the schema's own validator sees it: plain scalars typed by YAML 1.2's core schema (true is a boolean, 10
    /// a number), quoted and block scalars as strings. A duplicate key throws, as Azure Pipelines rejects it.
    /// </summary>
    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode mapping => new JsonObject(mapping.Children.Select(pair =>
            KeyValuePair.Create(((YamlScalarNode)pair.Key).Value ?? "", ToJson(pair.Value)))),
        YamlSequenceNode sequence => new JsonArray([.. sequence.Children.Select(ToJson)]),
        YamlScalarNode { Style: not ScalarStyle.Plain } scalar => JsonValue.Create(scalar.Value ?? ""),
        YamlScalarNode { Value: null or "" or "~" or "null" or "Null" or "NULL" } => null,
        YamlScalarNode { Value: "true" or "True" or "TRUE" } => JsonValue.Create(true),
        YamlScalarNode { Value: "false" or "False" or "FALSE" } => JsonValue.Create(false),
        YamlScalarNode scalar when IntegerPattern().IsMatch(scalar.Value!) =>
            JsonValue.Create(long.Parse(scalar.Value!, CultureInfo.InvariantCulture)),
        YamlScalarNode scalar when FloatPattern().IsMatch(scalar.Value!) =>
            JsonValue.Create(double.Parse(scalar.Value!, CultureInfo.InvariantCulture)),
        YamlScalarNode scalar => JsonValue.Create(scalar.Value),
        _ => throw new NotSupportedException($"Unexpected YAML node {node.NodeType}"),
    };

    /// <summary>Every <c>template:</c> path in a pipeline file (local ones: relative to that file).</summary>
    private static IEnumerable<string> TemplateReferences(string file)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, file))));
        return stream.Documents[0].AllNodes.OfType<YamlMappingNode>()
            .SelectMany(mapping => mapping.Children)
            .Where(pair => pair.Key is YamlScalarNode { Value: "template" } && pair.Value is YamlScalarNode)
            .Select(pair => ((YamlScalarNode)pair.Value).Value!)
            .Where(template => !template.Contains('@', StringComparison.Ordinal)) // another repository's template
            .Select(template => Path.GetRelativePath(TestPaths.RepositoryRoot,
                Path.GetFullPath(Path.Combine(TestPaths.RepositoryRoot, Path.GetDirectoryName(file)!, template)))
                .Replace('\\', '/'))
            .ToList();
    }

    private static JsonSchema LoadSchema()
    {
        var schema = JsonNode.Parse(File.ReadAllText(SchemaPath))!;
        AddAliases(schema);
        return JsonSchema.FromText(schema.ToJsonString());
    }

    /// <summary>
    /// The schema lists other accepted names of a task input under its own <c>aliases</c> keyword (e.g.
    /// azureSubscription for connectedServiceNameARM), which JSON Schema does not know: each becomes a property too.
    /// </summary>
    private static void AddAliases(JsonNode? node)
    {
        if (node is JsonArray array)
        {
            foreach (var item in array)
            {
                AddAliases(item);
            }
        }
        if (node is not JsonObject obj)
        {
            return;
        }
        if (obj["properties"] is JsonObject properties)
        {
            foreach (var (name, property) in properties.ToList())
            {
                var aliases = ((property as JsonObject)?["aliases"] as JsonArray ?? [])
                    .Select(alias => alias!.GetValue<string>()).ToList();
                foreach (var alias in aliases.Where(alias => !properties.ContainsKey(alias)))
                {
                    properties[alias] = property!.DeepClone();
                }
                // A required input is present under any of its names.
                var requiredName = (obj["required"] as JsonArray)?.FirstOrDefault(r => r!.GetValue<string>() == name);
                if (aliases.Count > 0 && requiredName is not null)
                {
                    ((JsonArray)obj["required"]!).Remove(requiredName);
                    var anyName = new JsonArray(
                        [.. aliases.Prepend(name).Select(n => new JsonObject { ["required"] = new JsonArray(n) })]);
                    var allOf = obj["allOf"] as JsonArray ?? (JsonArray)(obj["allOf"] = new JsonArray())!;
                    allOf.Add(new JsonObject { ["anyOf"] = anyName });
                }
            }
        }
        foreach (var (_, child) in obj.ToList())
        {
            AddAliases(child);
        }
    }

    // YAML 1.2 core schema: decimal integers, and floats with a fraction or an exponent (no .inf/.nan in pipelines).
    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}
