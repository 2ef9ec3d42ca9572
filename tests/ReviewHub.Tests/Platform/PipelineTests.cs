using System.Text.RegularExpressions;
using YamlDotNet.Serialization;

namespace ReviewHub.Tests.Platform;

/// <summary>azure-pipelines.yml and its deploy-stage template, parsed: stage order, tasks, and the README's test
/// command.</summary>
public sealed partial class PipelineTests
{
    private const string DeployTemplate = "infra/pipelines/deploy-stage.yml";

    private static readonly Yaml Pipeline = Yaml.Load("azure-pipelines.yml");
    private static readonly Yaml Deploy = Yaml.Load(DeployTemplate);

    private static IReadOnlyList<Yaml> BuildSteps =>
        Pipeline["stages"].Items.Single(s => s.Text("stage") == "Build")["jobs"].Items.Single()["steps"].Items;

    private static IReadOnlyList<Yaml> DeploySteps =>
        Deploy["stages"].Items.Single()["jobs"].Items.Single()["strategy"]["runOnce"]["deploy"]["steps"].Items;

    /// <summary>The command in the README's Test section (its first bash block).</summary>
    private static string ReadmeTestCommand()
    {
        var readme = File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "README.md"));
        var match = ReadmeTestBlock().Match(readme);
        Assert.True(match.Success, "README.md has no bash block in its ## Test section");
        return Assert.Single(match.Groups["code"].Value.Split('\n',
            StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [Fact]
    public void Stages_run_build_then_dev_then_prod()
    {
        var stages = Pipeline["stages"].Items;
        Assert.Equal("Build", stages[0].Text("stage"));

        var deploys = stages.Skip(1).ToList();
        Assert.All(deploys, d => Assert.Equal(DeployTemplate, d.Text("template")));
        Assert.Equal(["dev", "prod"], deploys.Select(d => d["parameters"].Text("environment")));
        Assert.Equal(["Build", "Deploy_dev"], deploys.Select(d => d["parameters"].Text("dependsOn")));

        var stage = Deploy["stages"].Items.Single();
        Assert.Equal("Deploy_${{ parameters.environment }}", stage.Text("stage"));
        Assert.Equal("${{ parameters.dependsOn }}", stage.Text("dependsOn"));
        Assert.Contains("refs/heads/main", stage.Text("condition"));
    }

    [Fact]
    public void The_test_step_runs_exactly_the_readme_test_command()
    {
        var command = ReadmeTestCommand();
        Assert.Equal("./scripts/test.sh", command);

        var testSteps = BuildSteps.Where(s => s.Text("bash") is { } script
            && script.Contains("test.sh", StringComparison.Ordinal)).ToList();
        Assert.Equal(command, Assert.Single(testSteps).Text("bash")!.Trim());
    }

    [Fact]
    public void Build_tests_then_lints_infrastructure_then_publishes_a_zip_with_host_json_at_its_root()
    {
        var steps = BuildSteps;
        int IndexOf(Func<Yaml, bool> match, string what)
        {
            var index = steps.ToList().FindIndex(s => match(s));
            Assert.True(index >= 0, $"The build job has no step that {what}");
            return index;
        }

        var dotnet = IndexOf(s => s.Text("task") == "UseDotNet@2" && s["inputs"].Text("useGlobalJson") == "true",
            "installs the SDK from global.json");
        // npm ci (Azurite, the OpenAPI linters, the TypeScript compiler) needs Node before the test command runs.
        var node = IndexOf(s => s.Text("task") == "NodeTool@0" && s["inputs"].Text("versionSpec") is not null,
            "installs Node.js");
        var test = IndexOf(s => s.Text("bash")?.Trim() == ReadmeTestCommand(), "runs the tests");
        var bicep = IndexOf(s => s.Text("bash")?.Contains("scripts/checks/bicep.sh", StringComparison.Ordinal) == true,
            "builds and lints Bicep");
        var publish = IndexOf(s =>
            s.Text("bash")?.Contains("dotnet publish ReviewHub.csproj", StringComparison.Ordinal) == true,
            "publishes the app");
        var zip = IndexOf(s => s.Text("task") == "ArchiveFiles@2", "zips the app");
        var upload = IndexOf(s => s.Text("artifact") == "app", "uploads the app artifact");
        Assert.True(dotnet < test && node < test && test < bicep && bicep < publish && publish < zip && zip < upload,
            "Build steps are out of order");

        var archive = steps[zip]["inputs"];
        Assert.Equal("false", archive.Text("includeRootFolder")); // host.json must sit at the root of the package
        Assert.EndsWith("/app/reviewhub.zip", archive.Text("archiveFile"));
        Assert.Contains(steps, s => s.Text("artifact") == "infra");
    }

    [Fact]
    public void Each_environment_deploys_infrastructure_then_the_flex_app_then_smoke_tests_it()
    {
        var job = Deploy["stages"].Items.Single()["jobs"].Items.Single();
        // a deployment job: approvals and checks of the environment apply
        Assert.Equal("deploy", job.Text("deployment"));
        Assert.Equal("reviewhub-${{ parameters.environment }}", job.Text("environment"));

        var tasks = DeploySteps.Where(s => s.Text("task") is not null).ToList();
        Assert.Equal(["AzureCLI@2", "AzureFunctionApp@2", "AzureCLI@2"], tasks.Select(t => t.Text("task")));

        var infra = tasks[0]["inputs"].Text("inlineScript")!;
        Assert.Contains("az deployment group create", infra);
        Assert.Contains("infra/main.json", infra);
        Assert.Contains("infra/main.${{ parameters.environment }}.json", infra);

        var app = tasks[1]["inputs"];
        Assert.Equal("functionAppLinux", app.Text("appType"));
        Assert.Equal("true", app.Text("isFlexConsumption"));
        Assert.Equal("$(infra.functionAppName)", app.Text("appName"));
        Assert.EndsWith("/app/reviewhub.zip", app.Text("package"));

        var smoke = tasks[2]["inputs"].Text("inlineScript")!;
        Assert.Contains("/api/health", smoke);
        Assert.Contains("az functionapp function list", smoke);
        // expected functions come from the package, not from the deploy task
        Assert.Contains("functions.metadata", smoke);
        Assert.Contains("exit 1", smoke);
    }

    [Fact]
    public void Deploy_stages_use_artifacts_and_parameter_files_that_exist()
    {
        var published = BuildSteps.Select(s => s.Text("artifact")).OfType<string>().ToHashSet();
        var downloaded = DeploySteps.Where(s => s.Text("download") == "current").Select(s =>
            s.Text("artifact")!).ToList();
        Assert.Equal(published.Order(), downloaded.Order());

        foreach (var environment in Pipeline["stages"].Items.Skip(1).Select(d => d["parameters"].Text("environment")))
        {
            Assert.True(File.Exists(Path.Combine(TestPaths.RepositoryRoot, "infra", $"main.{environment}.bicepparam")),
                environment);
        }
        var allowed = Deploy["parameters"].Items.Single(p =>
            p.Text("name") == "environment")["values"].Items.Select(v => v.Value);
        Assert.Equal(["dev", "prod"], allowed);
    }

    [GeneratedRegex(@"^## Test\s*$(?:(?!^## ).)*?```bash\n(?<code>.*?)```",
        RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex ReadmeTestBlock();

    /// <summary>A node of the YAML document: a mapping, a sequence or a scalar.</summary>
    private sealed class Yaml(object? node)
    {
        public static Yaml Load(string path) =>
            new(new DeserializerBuilder().Build().Deserialize<object>(
                File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, path))));

        public Yaml this[string key] =>
            node is IDictionary<object, object> map && map.TryGetValue(key, out var child)
                ? new Yaml(child)
                : throw new KeyNotFoundException($"No '{key}' in the YAML node");

        public IReadOnlyList<Yaml> Items => ((IEnumerable<object>)node!).Select(item => new Yaml(item)).ToList();

        public string? Value => node as string;

        /// <summary>The scalar under <paramref name="key"/>, or null when the key is absent.</summary>
        public string? Text(string key) => node is IDictionary<object, object> map
            && map.TryGetValue(key, out var value) ? value as string : null;
    }
}
