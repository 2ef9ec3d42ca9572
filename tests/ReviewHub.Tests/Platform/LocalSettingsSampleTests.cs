using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ReviewHub.Tests.Platform;

public sealed class LocalSettingsSampleTests
{
    [Fact]
    public void The_committed_sample_settings_start_the_app_once_run_local_fills_in_the_signing_key()
    {
        using var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot,
            "local.settings.sample.json")));
        var values = sample.RootElement.GetProperty("Values").EnumerateObject()
            .ToDictionary(v => v.Name.Replace("__", ":"), v => (string?)v.Value.GetString());
        Assert.Equal("REPLACE_WITH_BASE64_32_BYTES", values["Auth:SigningKey"]); // what scripts/run-local.sh replaces
        values["Auth:SigningKey"] = Convert.ToBase64String(new byte[32]);
        Assert.Equal("GENERATED_CONFIRMATION_LINK_KEY", values["EmailConfirmation:SigningKey"]); // likewise
        values["EmailConfirmation:SigningKey"] = Convert.ToBase64String(new byte[32]);

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging();
        services.AddReviewHub(configuration);
        using var provider = services.BuildServiceProvider();

        // Throws OptionsValidationException when a required setting is missing from the sample or invalid there.
        provider.GetRequiredService<IStartupValidator>().Validate();
    }
}
