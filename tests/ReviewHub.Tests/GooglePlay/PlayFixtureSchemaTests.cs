using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using ReviewHub.Fakes;

namespace ReviewHub.Tests.GooglePlay;

/// <summary>
/// What the fake Play server answers (the fixtures of every Play test) validates against the schemas of Google's
/// discovery document (Fixtures/google-play-reviews-discovery.json, the reviews extract of androidpublisher v3).
/// </summary>
public sealed class PlayFixtureSchemaTests
{
    private static readonly Lazy<JsonObject> Discovery = new(() => JsonNode.Parse(File.ReadAllText(
        Path.Combine(AppContext.BaseDirectory, "GooglePlay", "Fixtures", "google-play-reviews-discovery.json")))!
        .AsObject());

    /// <summary>
    /// A discovery schema as JSON Schema 2020-12: <c>$ref</c>s point into <c>$defs</c>; int32/uint32 get their ranges,
    /// int64 is a string of digits (as the discovery format says); objects are closed, so a field the schema does not
    /// name fails. Two ranges the schema states only in prose are added: <c>starRating</c> 1-5 and <c>nanos</c>.
    /// </summary>
    internal static JsonSchema SchemaFor(string name)
    {
        var defs = new JsonObject();
        foreach (var (schemaName, schema) in Discovery.Value["schemas"]!.AsObject())
        {
            defs[schemaName] = Convert(schema!, schemaName);
        }
        var root = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$ref"] = $"#/$defs/{name}",
            ["$defs"] = defs,
        };
        return JsonSchema.FromText(root.ToJsonString(),
            baseUri: new Uri($"https://reviewhub.test/play/{Guid.NewGuid():N}"));
    }

    private static JsonObject Convert(JsonNode discovery, string? property = null)
    {
        if (discovery["$ref"] is { } reference)
        {
            return new JsonObject { ["$ref"] = $"#/$defs/{reference.GetValue<string>()}" };
        }
        var type = discovery["type"]!.GetValue<string>();
        var format = discovery["format"]?.GetValue<string>();
        var converted = (type, format) switch
        {
            ("object", _) => new JsonObject
            {
                ["type"] = "object",
                ["properties"] = new JsonObject(discovery["properties"]!.AsObject()
                    .Select(p => KeyValuePair.Create(p.Key, (JsonNode?)Convert(p.Value!, p.Key)))),
                ["additionalProperties"] = false,
            },
            ("array", _) => new JsonObject { ["type"] = "array", ["items"] = Convert(discovery["items"]!) },
            ("string", "int64") => new JsonObject { ["type"] = "string", ["pattern"] = "^-?[0-9]{1,19}$" },
            ("integer", "int32") => new JsonObject
                { ["type"] = "integer", ["minimum"] = int.MinValue, ["maximum"] = int.MaxValue },
            ("integer", "uint32") => new JsonObject
                { ["type"] = "integer", ["minimum"] = 0, ["maximum"] = uint.MaxValue },
            _ => new JsonObject { ["type"] = type },
        };
        switch (property)
        {
            case "starRating":
                converted["minimum"] = 1;
                converted["maximum"] = 5;
                break;
            case "nanos":
                converted["minimum"] = 0;
                converted["maximum"] = 999_999_999;
                break;
        }
        return converted;
    }

    internal static void AssertValid(string schemaName, string json)
    {
        var results = SchemaFor(schemaName).Evaluate(JsonDocument.Parse(json).RootElement,
            new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.True(results.IsValid, string.Join("; ", (results.Details ?? [])
            .Where(d => d.Errors is { Count: > 0 })
            .Select(d => $"{d.InstanceLocation}: {string.Join(", ", d.Errors!.Values)}")) + "\n" + json);
    }

    [Theory]
    [InlineData(250, 100, "", 0)]
    [InlineData(37, 10, "en", 3)]
    [InlineData(0, 100, "", 0)]
    public async Task List_pages_get_and_reply_of_the_fake_follow_the_discovery_schemas(
        int reviews, int maxResults, string translationLanguage, int shortPageEvery)
    {
        await using var play = new FakeGooglePlay { ShortPageEvery = shortPageEvery };
        await play.StartAsync();
        var account = play.CreateServiceAccount();
        const string Package = "com.example.schema";
        var now = DateTimeOffset.UtcNow;
        play.SetReviews(Package, FakeGooglePlay.GenerateReviews(reviews, now.AddMinutes(-1)).Select((r, i) =>
            i % 3 == 0 ? r with { Reply = new FakePlayReply("Thanks!", now) } : r));
        play.SetGrant(account.ClientEmail, Package, FakePlayGrant.Granted);
        using var http = new HttpClient { BaseAddress = play.BaseAddress };
        var accessToken = await TokenAsync(play, account);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);

        var path = $"androidpublisher/v3/applications/{Package}/reviews";
        var language = translationLanguage.Length > 0 ? $"&translationLanguage={translationLanguage}" : "";
        string? token = null;
        var seen = new List<string>();
        do
        {
            var body = await http.GetStringAsync($"{path}?maxResults={maxResults}{language}" +
                (token is null ? "" : $"&token={Uri.EscapeDataString(token)}"));
            AssertValid("ReviewsListResponse", body);
            var page = JsonNode.Parse(body)!;
            seen.AddRange(page["reviews"]?.AsArray().Select(r => r!["reviewId"]!.GetValue<string>()) ?? []);
            token = page["tokenPagination"]?["nextPageToken"]?.GetValue<string>();
        }
        while (token is not null);
        Assert.Equal(reviews, seen.Distinct().Count());

        if (reviews > 0)
        {
            AssertValid("Review", await http.GetStringAsync($"{path}/{Uri.EscapeDataString(seen[0])}{
                (language.Length > 0 ? "?" + language[1..] : "")}"));
            using var reply = await http.PostAsync($"{path}/{Uri.EscapeDataString(seen[1])}:reply",
                new StringContent("""{"replyText":"Thanks! <b>Fixed</b> in 3.2.1"}""", Encoding.UTF8,
                    "application/json"));
            var replyBody = await reply.Content.ReadAsStringAsync();
            Assert.True(reply.IsSuccessStatusCode, replyBody);
            AssertValid("ReviewsReplyResponse", replyBody);
            Assert.Equal("Thanks! Fixed in 3.2.1",
                JsonNode.Parse(replyBody)!["result"]!["replyText"]!.GetValue<string>());
        }
    }

    [Theory]
    [InlineData("""{"reviews":[{"comments":[{"userComment":{"lastModified":{"seconds":1791456000}}}]}]}""")]
    [InlineData("""{"reviews":[{"reviewId":"a","comments":[{"userComment":{"starRating":6}}]}]}""")]
    [InlineData("""{"reviews":[{"reviewId":"a","rating":4}]}""")]
    [InlineData("""{"reviews":[{"reviewId":"a","comments":[{"userComment":{"lastModified":{"nanos":-1}}}]}]}""")]
    [InlineData("""{"tokenPagination":{"nextPageToken":7}}""")]
    public void The_schema_check_rejects_documents_that_break_it(string json)
    {
        var results = SchemaFor("ReviewsListResponse").Evaluate(JsonDocument.Parse(json).RootElement);
        Assert.False(results.IsValid);
    }

    [Fact]
    public void The_reference_sample_page_passes_the_schema_check()
    {
        AssertValid("ReviewsListResponse", """
            {"reviews":[{"reviewId":"gp:AOqpTOH0sXv1rQnA7w","authorName":"Dana K.","comments":[{"userComment":{
              "text":"Crashes on start\tSince 3.2 the app closes immediately.",
              "lastModified":{"seconds":"1791456000","nanos":120000000},"starRating":1,"reviewerLanguage":"en",
              "device":"a52q","androidOsVersion":34,"appVersionCode":320,"appVersionName":"3.2.0","thumbsUpCount":4,
              "thumbsDownCount":0,"deviceMetadata":{"productName":"a52q (Galaxy A52)","manufacturer":"Samsung",
              "deviceClass":"phone","screenDensityDpi":420,"ramMb":5632}}},{"developerComment":{
              "text":"Sorry! 3.2.1 fixes this, please update.","lastModified":{"seconds":"1791460000","nanos":0}}}]}],
             "tokenPagination":{"nextPageToken":"CgkI2aC..."},"pageInfo":{"totalResults":37,"resultPerPage":2,
             "startIndex":0}}
            """.Replace("\t", "\\t"));
    }

    /// <summary>A token through the JWT-bearer grant, signed here without the library (the fake checks it).</summary>
    internal static async Task<string> TokenAsync(FakeGooglePlay play, FakeGoogleServiceAccount account)
    {
        using var rsa = System.Security.Cryptography.RSA.Create();
        rsa.ImportFromPem(account.PrivateKeyPem);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        static string B64(byte[] bytes) =>
            System.Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var head = B64(JsonSerializer.SerializeToUtf8Bytes(
            new { alg = "RS256", typ = "JWT", kid = account.PrivateKeyId }));
        var claims = B64(JsonSerializer.SerializeToUtf8Bytes(new
        {
            iss = account.ClientEmail, scope = FakeGooglePlay.Scope, aud = FakeGooglePlay.Audience, iat = now,
            exp = now + 3600,
        }));
        var signature = B64(rsa.SignData(Encoding.ASCII.GetBytes($"{head}.{claims}"),
            System.Security.Cryptography.HashAlgorithmName.SHA256,
            System.Security.Cryptography.RSASignaturePadding.Pkcs1));
        using var http = new HttpClient();
        using var response = await http.PostAsync(play.TokenUrl, new FormUrlEncodedContent(
            new Dictionary<string, string>
        {
            ["grant_type"] = FakeGooglePlay.JwtBearerGrant,
            ["assertion"] = $"{head}.{claims}.{signature}",
        }));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonNode.Parse(body)!["access_token"]!.GetValue<string>();
    }
}
