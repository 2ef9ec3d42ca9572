using ReviewHub.Storage;

namespace ReviewHub.Tests.Security;

/// <summary>Authentication and tenancy on every HTTP endpoint the build declares.</summary>
public sealed class TenancyTests
{
    public static TheoryData<string> Protected => EndpointCatalog.Names(e => !e.Public);
    // Operators are not account members: their endpoints answer 403 to members (tested below), not 404.
    public static TheoryData<string> AccountScoped => EndpointCatalog.Names(e => !e.Public && !e.OperatorOnly
        && e.Path(Sample).Contains("/accounts/"));
    public static TheoryData<string> AppScoped => EndpointCatalog.Names(e => !e.Public && !e.OperatorOnly
        && e.Path(Sample).Contains($"/apps/{Sample.AppId}", StringComparison.Ordinal));
    public static TheoryData<string> Everything => EndpointCatalog.Names(_ => true);

    private static readonly TestWorld Sample = new("u", "t", new string('a', 32), new string('b', 32));

    [Fact]
    public void The_catalog_lists_every_http_function_the_build_declares()
    {
        var declared = FunctionMetadata.Http.Select(f => f.Name).Order().ToList();
        Assert.Equal(declared, EndpointCatalog.All.Select(e => e.Function).Order().ToList());
    }

    [Theory]
    [MemberData(nameof(Protected))]
    public async Task Without_a_token_every_protected_endpoint_answers_401(string function)
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);
        var endpoint = EndpointCatalog.Get(function);

        var response = await app.Host.SendAsync(endpoint.Method, endpoint.Path(world), token: null,
            endpoint.Body?.Invoke(world));

        Assert.Equal(401, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Equal("Bearer", response.Headers.WWWAuthenticate.ToString());
        Assert.Equal(function, response.FunctionName);
    }

    [Theory]
    [MemberData(nameof(Protected))]
    public async Task A_token_signed_with_another_key_answers_401(string function)
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);
        var endpoint = EndpointCatalog.Get(function);
        var forged = TestTokens.For(world.UserId, signingKey: Convert.ToBase64String(new byte[32]));

        var response = await app.Host.SendAsync(endpoint.Method, endpoint.Path(world), forged,
            endpoint.Body?.Invoke(world));

        Assert.Equal(401, response.Status);
    }

    public static TheoryData<string> BadTokens => new() { "expired", "wrong-audience", "wrong-issuer", "not-yet-valid",
        "garbage" };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task Expired_or_misaddressed_tokens_answer_401(string kind)
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);
        var token = kind switch
        {
            "expired" => TestTokens.For(world.UserId, notBefore: DateTime.UtcNow.AddHours(-2),
                expires: DateTime.UtcNow.AddMinutes(-10)),
            "wrong-audience" => TestTokens.For(world.UserId, audience: "api://someone-else"),
            "wrong-issuer" => TestTokens.For(world.UserId, issuer: "https://evil.test"),
            "not-yet-valid" => TestTokens.For(world.UserId, notBefore: DateTime.UtcNow.AddMinutes(30),
                expires: DateTime.UtcNow.AddHours(2)),
            _ => "not.a.jwt",
        };

        Assert.Equal(401, (await app.Host.GetAsync(world.AppPath, token)).Status);
        Assert.Equal(200, (await app.Host.GetAsync(world.AppPath, world.Token)).Status);
    }

    [Theory]
    [MemberData(nameof(AccountScoped))]
    public async Task A_member_of_another_account_gets_404_on_every_account_endpoint(string function)
    {
        await using var app = await TestApp.StartAsync();
        var (victim, stranger, endpoint) = await VictimAndStrangerAsync(app, function);

        var response = await app.Host.SendAsync(endpoint.Method, endpoint.Path(victim), stranger.Token,
            endpoint.Body?.Invoke(victim));

        Assert.Equal(404, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        // Nothing leaked or changed: the victim still sees their app.
        Assert.Equal(200, (await app.Host.GetAsync(victim.AppPath, victim.Token)).Status);
    }

    [Theory]
    [MemberData(nameof(AppScoped))]
    public async Task A_non_member_and_an_unknown_app_get_the_same_app_404_on_every_app_endpoint(string function)
    {
        await using var app = await TestApp.StartAsync();
        var (victim, stranger, endpoint) = await VictimAndStrangerAsync(app, function);
        var unknownApp = victim with { AppId = Ids.New() };

        var asStranger = await app.Host.SendAsync(endpoint.Method, endpoint.Path(victim), stranger.Token,
            endpoint.Body?.Invoke(victim));
        var onUnknownApp = await app.Host.SendAsync(endpoint.Method, endpoint.Path(unknownApp), victim.Token,
            endpoint.Body?.Invoke(unknownApp));

        // One answer, whoever asks about whichever missing app: existence never leaks through a different body.
        var expected = await app.Host.GetAsync(unknownApp.AppPath, victim.Token);
        Assert.Equal("No such app.", expected.Json.GetProperty("detail").GetString());
        foreach (var response in new[] { asStranger, onUnknownApp })
        {
            Assert.True(response.Status == 404 && response.Body == expected.Body, response.ToString());
            Assert.Equal("application/problem+json", response.ContentType);
        }
    }

    /// <summary>Two accounts and the endpoint, with what it needs arranged in the victim's.</summary>
    private static async Task<(TestWorld Victim, TestWorld Stranger, CatalogEndpoint Endpoint)> VictimAndStrangerAsync(
        TestApp app, string function)
    {
        var victim = await TestWorld.CreateAsync(app);
        var stranger = await TestWorld.CreateAsync(app);
        var endpoint = EndpointCatalog.Get(function);
        if (endpoint.Arrange is not null)
        {
            await endpoint.Arrange(app, victim);
        }
        return (victim, stranger, endpoint);
    }

    [Theory]
    [MemberData(nameof(Everything))]
    public async Task A_member_succeeds_on_every_endpoint(string function)
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);
        var endpoint = EndpointCatalog.Get(function);

        var response = await endpoint.SendAsMemberAsync(app, world);

        Assert.True(endpoint.MemberStatus == response.Status, response.ToString());
    }

    [Fact]
    public async Task Operator_endpoints_answer_403_to_members_without_the_operator_role()
    {
        await using var app = await TestApp.StartAsync();
        var world = await TestWorld.CreateAsync(app);

        foreach (var endpoint in EndpointCatalog.All.Where(e => e.OperatorOnly))
        {
            var response = await app.Host.SendAsync(endpoint.Method, endpoint.Path(world), world.Token,
                endpoint.Body?.Invoke(world));
            Assert.True(response.Status == 403, response.ToString());
        }
    }
}
