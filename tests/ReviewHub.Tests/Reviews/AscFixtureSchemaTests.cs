using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using ReviewHub.AppStoreConnect;
using ReviewHub.Fakes;

namespace ReviewHub.Tests.Reviews;

/// <summary>The fake's customerReviews pages (the ASC fixtures of every fetch test) validate against Apple's OpenAPI
/// schema.</summary>
public sealed class AscFixtureSchemaTests
{
    private static readonly Lazy<JsonSchema> CustomerReviewsResponse = new(LoadSchema);

    /// <summary>
    /// Apple's <c>CustomerReviewsResponse</c> and the schemas it references, extracted unchanged from the App Store
    /// Connect OpenAPI document (Fixtures/, see docs/ingestion.md). Formats (date-time, uri-reference) are validated
    /// too.
    /// </summary>
    private static JsonSchema LoadSchema() => JsonSchema.FromText(
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reviews", "Fixtures",
            "asc-customer-reviews-response.schema.json")),
        baseUri: new Uri($"https://reviewhub.test/asc/{Guid.NewGuid():N}"));

    private static EvaluationResults Validate(string json) =>
        CustomerReviewsResponse.Value.Evaluate(JsonDocument.Parse(json).RootElement,
            new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });

    private static string Explain(EvaluationResults results) =>
        string.Join("; ", (results.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .Select(d => $"{d.InstanceLocation}: {string.Join(", ", d.Errors!.Values)}"));

    [Theory]
    [InlineData(true, 450, 200)]
    [InlineData(false, 3, 200)]
    [InlineData(true, 0, 200)]
    public async Task Pages_of_the_fake_follow_CustomerReviewsResponse(bool withResponses, int reviews, int limit)
    {
        await using var asc = new FakeAppStoreConnect();
        await asc.StartAsync();
        var key = asc.CreateKey();
        var storeAppId = "682658836";
        var generated = FakeAppStoreConnect.GenerateReviews(reviews, DateTimeOffset.Parse("2026-07-01T10:11:12-07:00",
            CultureInfo.InvariantCulture));
        asc.SetReviews(storeAppId, withResponses
            ? generated.Select((r, i) => i % 3 == 0 ? r with { Response = new FakeDeveloperResponse($"resp-{i}",
                "Thanks!", "PUBLISHED", r.CreatedDate.AddDays(1)) } : r)
            : generated);
        using var http = new HttpClient { BaseAddress = asc.BaseAddress };
        var tokens = new AppStoreConnectTokenFactory(Microsoft.Extensions.Options.Options.Create(
            new AppStoreConnectOptions()), TimeProvider.System);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            tokens.GetToken(new AppStoreConnectCredential(key.IssuerId, key.KeyId, key.PrivateKeyPem)));

        string? url = $"v1/apps/{storeAppId}/customerReviews?sort=-createdDate&limit={limit}&include=response";
        var pages = 0;
        while (url is not null)
        {
            var body = await http.GetStringAsync(url);
            var results = Validate(body);
            Assert.True(results.IsValid, Explain(results));
            url = JsonNode.Parse(body)!["links"]!["next"]?.GetValue<string>();
            pages++;
        }
        Assert.Equal(Math.Max(1, (reviews + limit - 1) / limit), pages);
    }

    [Theory]
    [InlineData("""{"data":[]}""")] // links are required
    [InlineData("""{"data":[{"type":"customerReviews","id":"1","attributes":{"rating":6}}],"links":{"self":"x"}}""")]
    [InlineData("""
        {"data":[{"type":"customerReviews","id":"1","attributes":{"createdDate":"yesterday"}}],"links":{"self":"x"}}
        """)]
    [InlineData(
        """{"data":[{"type":"customerReviews","id":"1","attributes":{"territory":"XXX"}}],"links":{"self":"x"}}""")]
    public void The_schema_check_rejects_documents_that_break_it(string json)
    {
        Assert.False(Validate(json).IsValid);
    }
}
