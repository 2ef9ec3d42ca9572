using ReviewHub.Health;

namespace ReviewHub.Tests.Platform;

public sealed class HealthTests
{
    [Fact]
    public async Task Health_is_anonymous_and_reports_reachable_storage_and_the_version()
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Host.GetAsync("/api/health", token: null);

        Assert.Equal(200, response.Status);
        var report = response.As<HealthReport>();
        Assert.Equal("healthy", report.Status);
        Assert.Equal(["queues", "tables"], report.Checks.Select(c => c.Name).Order());
        Assert.StartsWith("1.0.0", report.Version);
        Assert.DoesNotContain("AccountKey", response.Body);
        Assert.DoesNotContain("127.0.0.1", response.Body);
    }

    [Fact]
    public async Task Unreachable_storage_answers_503_without_describing_it()
    {
        const string dead =
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
            "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
            "QueueEndpoint=http://127.0.0.1:9/devstoreaccount1;TableEndpoint=http://127.0.0.1:9/devstoreaccount1;";
        await using var app = await TestApp.StartAsync(
            new Dictionary<string, string?> { ["Storage:Tables"] = dead, ["Storage:Queues"] = dead },
            provisionStorage: false);

        var response = await app.Host.GetAsync("/api/health", token: null);

        Assert.Equal(503, response.Status);
        var checks = response.As<HealthReport>().Checks;
        Assert.NotEmpty(checks);
        Assert.All(checks, c => Assert.Equal("unhealthy", c.Status));
        Assert.DoesNotContain("127.0.0.1", response.Body);
    }
}
