using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using ReviewHub.Observability;

namespace ReviewHub.Tests.Platform;

/// <summary>
/// The Bicep template against the code: every setting the app reads — derived from the options classes, literal keys
/// read from IConfiguration in the source, the test defaults, the local settings sample and the %binding% expressions
/// the build wrote — must be an app setting in infra/main.bicep,
/// so a new setting without a template line fails here rather than at start-up in Azure. Also the shape of the
/// templates: main.bicep composes the modules under infra/modules, each owning its resources and role assignments.
/// </summary>
public sealed partial class InfrastructureTests
{
    /// <summary>Settings that exist only for local development, with why Azure must not have them.</summary>
    private static readonly IReadOnlyDictionary<string, string> LocalOnly = new Dictionary<string, string>
    {
        ["Auth__SigningKey"] = "Azure validates Entra ID tokens through Auth__Authority, and the options refuse both",
        ["Secrets__LocalDirectory"] = "Azure keeps secrets in Key Vault (KeyVault__Uri)",
        ["FUNCTIONS_WORKER_RUNTIME"] =
            "Flex Consumption sets the runtime in functionAppConfig and rejects this setting",
    };

    private static readonly string InfraDirectory = Path.Combine(TestPaths.RepositoryRoot, "infra");

    private static string Infra(string file) => File.ReadAllText(Path.Combine(InfraDirectory, file));

    /// <summary>Every Bicep file under infra/ (main.bicep and the modules), by path relative to infra/.</summary>
    private static IReadOnlyDictionary<string, string> Templates() =>
        Directory.EnumerateFiles(InfraDirectory, "*.bicep", SearchOption.AllDirectories)
            .ToDictionary(path => Path.GetRelativePath(InfraDirectory, path).Replace('\\', '/'), File.ReadAllText);

    private static string AllTemplates() => string.Join("\n", Templates().Values);

    [Fact]
    public async Task Every_setting_the_app_reads_is_an_app_setting_in_the_template()
    {
        var template = TemplateSettings();
        var missing = (await KeysTheAppReadsAsync())
            .Where(key => !LocalOnly.ContainsKey(key))
            // "Storage__Tables" is covered by "Storage__Tables__endpoint", an array setting by "Key__0".
            .Where(key => !template.Contains(key) && !template.Any(setting => setting.StartsWith(key + "__",
                StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.True(missing.Count == 0,
            $"Add these settings to the appSettings block of infra/main.bicep (one line each): " +
                $"{string.Join(", ", missing)}");
    }

    [Fact]
    public async Task The_settings_are_derived_from_the_code_not_from_a_list()
    {
        var keys = await KeysTheAppReadsAsync();

        // One from each source: an options class property with no test default, a direct read in the source, the test
        // defaults, the sample, host.json.
        Assert.Contains("Auth__ClockSkew", keys);
        Assert.Contains("KeyVault__Uri", keys);
        Assert.Contains("AZURE_CLIENT_ID", keys);
        Assert.Contains("OutboundHttp__RetryBaseDelay", keys);
        Assert.Contains("AzureWebJobsStorage", keys);
        Assert.Contains("DurableTask__HubName", keys);
    }

    [Fact]
    public void Local_only_settings_stay_out_of_Azure()
    {
        var template = TemplateSettings();
        Assert.All(LocalOnly.Keys, key => Assert.DoesNotContain(key, template));
    }

    [Fact]
    public void Every_options_class_names_its_configuration_section()
    {
        // The coverage check finds options through their Section constant; an options class without one would escape
        // it.
        var withoutSection = typeof(ReviewHubServices).Assembly.GetTypes()
            .Where(t => t.IsClass && !t.IsAbstract && t.Name.EndsWith("Options", StringComparison.Ordinal)
                && SectionOf(t) is null)
            .Select(t => t.FullName)
            .ToList();
        Assert.Empty(withoutSection);
    }

    [Fact]
    public void Storage_uses_the_managed_identity_and_no_key_or_connection_string()
    {
        var main = Infra("main.bicep");
        Assert.Contains("allowSharedKeyAccess: false", Infra("modules/storage.bicep"));
        Assert.Contains("AzureWebJobsStorage__credential: 'managedidentity'", main);
        Assert.Contains("AzureWebJobsStorage__clientId: identity.outputs.clientId", main);
        Assert.DoesNotContain("listKeys", AllTemplates());
        Assert.DoesNotContain("AccountKey", AllTemplates());
        Assert.Contains("DisableLocalAuth: true", Infra("modules/monitoring.bicep"));
        Assert.Contains("httpsOnly: true", Infra("modules/function-app.bicep"));
    }

    [Fact]
    public void Main_composes_modules_and_every_module_is_used()
    {
        var templates = Templates();
        // main.bicep names things, lists the settings and wires modules; resources live in the module of their concern.
        Assert.DoesNotMatch(ResourceDeclarationPattern(), templates["main.bicep"]);

        var used = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Queue<string>(["main.bicep"]);
        while (pending.TryDequeue(out var file))
        {
            foreach (Match module in ModuleDeclarationPattern().Matches(templates[file]))
            {
                var target = Path.Combine(InfraDirectory, Path.GetDirectoryName(file)!, module.Groups["path"].Value);
                var path = Path.GetRelativePath(InfraDirectory, Path.GetFullPath(target)).Replace('\\', '/');
                Assert.True(templates.ContainsKey(path), $"{file} uses {path}, which does not exist");
                if (used.Add(path))
                {
                    pending.Enqueue(path);
                }
            }
        }
        var modules = templates.Keys.Where(f => f != "main.bicep");
        Assert.Equal(modules.Order(StringComparer.Ordinal), used.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_linter_rule_is_an_error_and_none_is_off()
    {
        // scripts/checks/bicep.sh fails on any diagnostic; a rule switched off (as use-recent-api-versions once was)
        // hides what it would have found.
        using var config = JsonDocument.Parse(Infra("bicepconfig.json"));
        var rules = config.RootElement.GetProperty("analyzers").GetProperty("core").GetProperty("rules")
            .EnumerateObject().ToList();

        Assert.Contains(rules, rule => rule.Name == "use-recent-api-versions");
        Assert.All(rules, rule =>
            Assert.True(rule.Value.GetProperty("level").GetString() == "error", $"{rule.Name} is not an error"));
    }

    [Theory]
    [InlineData("b7e6dc6d-f1e8-4753-8033-0f276bb0955b", "Storage Blob Data Owner")]
    [InlineData("974c5e8b-45b9-4653-ba55-5f855dd0fb88", "Storage Queue Data Contributor")]
    [InlineData("0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", "Storage Table Data Contributor")]
    [InlineData("3913510d-42f4-4e42-8a64-420c390055eb", "Monitoring Metrics Publisher")]
    [InlineData("b86a8fe4-44ce-4948-aee5-eccb2c155cd7", "Key Vault Secrets Officer")]
    public void The_identity_gets_the_roles_the_app_needs(string roleDefinitionId, string role)
    {
        // Each module assigns the roles on its own resources to the identity it looks up by name.
        var assigning = Templates().Values
            .Where(bicep => bicep.Contains($"'{roleDefinitionId}'", StringComparison.Ordinal)).ToList();
        Assert.True(assigning.Count == 1, $"{role} is not assigned exactly once");
        Assert.Contains("principalId: identity.properties.principalId", assigning[0]);
    }

    [Fact]
    public void The_SendGrid_key_is_a_Key_Vault_reference()
    {
        Assert.Matches(@"Email__SendGridApiKey: '@Microsoft\.KeyVault\(VaultName=", Infra("main.bicep"));
    }

    [Theory]
    [InlineData("main.dev.bicepparam")]
    [InlineData("main.prod.bicepparam")]
    public void Parameter_files_override_only_settings_the_template_knows(string file)
    {
        var template = TemplateSettings();
        var overrides = BlockKeys(Infra(file), "param settingOverrides = {");
        Assert.All(overrides, key => Assert.Contains(key, template));
    }

    [Fact]
    public void Alerts_and_workbook_query_the_metrics_the_app_emits()
    {
        var queries = Infra("modules/alerts.bicep") + Infra("modules/workbook.bicep");
        var queried = MetricNamePattern().Matches(queries).Select(m => m.Value).ToHashSet();

        Assert.Equal(ReviewHubMetrics.Names.All.Order(StringComparer.Ordinal), queried.Order(StringComparer.Ordinal));
    }

    /// <summary>Keys of every <c>var ...Settings = { ... }</c> block in the templates: the app settings.</summary>
    private static HashSet<string> TemplateSettings()
    {
        var blocks = Templates().Values
            .SelectMany(bicep => SettingsBlockPattern().Matches(bicep).Select(m => (Bicep: bicep, Opening: m.Value)))
            .ToList();
        Assert.NotEmpty(blocks);
        return blocks.SelectMany(block => BlockKeys(block.Bicep, block.Opening)).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Keys of the flat object literal that starts at <paramref name="opening"/> and ends at the next line
    /// holding only "}".</summary>
    private static IEnumerable<string> BlockKeys(string bicep, string opening)
    {
        var lines = bicep.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var start = lines.FindIndex(l => l.TrimStart().StartsWith(opening, StringComparison.Ordinal));
        if (start < 0 || lines[start].TrimEnd().EndsWith('}'))
        {
            yield break; // absent, or an empty one-line object
        }
        foreach (var line in lines.Skip(start + 1).TakeWhile(l => l.Trim() != "}"))
        {
            var key = KeyPattern().Match(line);
            if (key.Success)
            {
                yield return key.Groups["key"].Value;
            }
        }
    }

    private static async Task<HashSet<string>> KeysTheAppReadsAsync()
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        keys.UnionWith(OptionsKeys());
        keys.UnionWith(SourceKeys());
        keys.UnionWith((await TestApp.DefaultSettingsAsync()).Keys.Select(k => k.Replace(":", "__",
            StringComparison.Ordinal)));

        using var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot,
            "local.settings.sample.json")));
        keys.UnionWith(sample.RootElement.GetProperty("Values").EnumerateObject().Select(p => p.Name));

        // %Setting% expressions: trigger attributes (functions.metadata) and host.json.
        foreach (var file in new[] { "functions.metadata", "host.json" })
        {
            var text = File.ReadAllText(Path.Combine(TestPaths.FunctionAppOutput, file));
            keys.UnionWith(BindingExpressionPattern().Matches(text).Select(m => m.Groups["key"].Value.Replace(":", "__",
                StringComparison.Ordinal)));
        }
        return keys;
    }

    /// <summary>Literal keys the app's source reads straight from configuration (configuration["X:Y"], GetSection("X"),
    /// ...).</summary>
    private static IEnumerable<string> SourceKeys() =>
        Directory.EnumerateFiles(Path.Combine(TestPaths.RepositoryRoot, "functions"), "*.cs",
            SearchOption.AllDirectories)
            .Append(Path.Combine(TestPaths.RepositoryRoot, "Program.cs"))
            .SelectMany(file => ConfigurationReadPattern().Matches(File.ReadAllText(file)))
            .Select(m => m.Groups["key"].Value.Replace(":", "__", StringComparison.Ordinal));

    /// <summary><c>Section__Property</c> for every public settable property of every options class (nested objects
    /// recursively).</summary>
    private static IEnumerable<string> OptionsKeys() =>
        typeof(ReviewHubServices).Assembly.GetTypes()
            .Select(t => (Type: t, Section: SectionOf(t)))
            .Where(x => x.Section is not null)
            .SelectMany(x => PropertyKeys(x.Type, x.Section!));

    private static string? SectionOf(Type type) =>
        type.GetField("Section", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } field
            ? (string?)field.GetRawConstantValue() : null;

    private static IEnumerable<string> PropertyKeys(Type type, string prefix) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod?.IsPublic == true && p.GetIndexParameters().Length == 0)
            .SelectMany(p => IsNestedOptions(p.PropertyType) ? PropertyKeys(p.PropertyType, $"{prefix}__{p.Name}")
                : [$"{prefix}__{p.Name}"]);

    private static bool IsNestedOptions(Type type) =>
        type.IsClass && type != typeof(string) && !typeof(IEnumerable).IsAssignableFrom(type)
            && type.Assembly == typeof(ReviewHubServices).Assembly;

    [GeneratedRegex(@"(?:[Cc]onfiguration\[|GetSection\(|GetValue<[^>]+>\(|BindConfiguration\()\s*""(?<key>[^""]+)""")]
    private static partial Regex ConfigurationReadPattern();

    [GeneratedRegex(@"var \w+Settings = \{")]
    private static partial Regex SettingsBlockPattern();

    [GeneratedRegex(@"^\s*'?(?<key>[A-Za-z0-9_]+)'?\s*:")]
    private static partial Regex KeyPattern();

    [GeneratedRegex(@"%(?<key>[A-Za-z0-9_:.\-]+)%")]
    private static partial Regex BindingExpressionPattern();

    [GeneratedRegex(@"reviewhub\.[a-z_.]*[a-z_]")]
    private static partial Regex MetricNamePattern();

    [GeneratedRegex(@"^resource\s", RegexOptions.Multiline)]
    private static partial Regex ResourceDeclarationPattern();

    [GeneratedRegex(@"^module\s+\w+\s+'(?<path>[^']+)'", RegexOptions.Multiline)]
    private static partial Regex ModuleDeclarationPattern();
}
