using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using ReviewHub.Security;

namespace ReviewHub.Tests.Security;

/// <summary>
/// Operator status comes from the identity provider's role claim only, never from a claim a token could carry.
/// </summary>
public sealed class OperatorIdentityTests
{
    private static async Task<Caller?> CallerOfAsync(TestApp app, string token)
    {
        var context = new DefaultHttpContext { RequestServices = app.Services };
        context.Request.Headers.Authorization = $"Bearer {token}";
        var getApp = EndpointAccess.ResolveEntryPoint("ReviewHub.Apps.AppFunctions.GetApp")!;
        Assert.Null(await app.Get<EndpointAccess>().AuthorizeAsync(getApp, context));
        return Caller.From(context.Request);
    }

    [Fact]
    public async Task A_token_carrying_the_old_internal_operator_claim_is_not_an_operator()
    {
        await using var app = await TestApp.StartAsync();
        var forged = TestTokens.For("user-1", extraClaims: [new Claim("reviewhub:operator", "true")]);

        Assert.False((await CallerOfAsync(app, forged))!.IsOperator);
        var replay = await app.Host.PostAsync("/api/operators/poison/deliveries/replay", forged);
        Assert.Equal(403, replay.Status);
    }

    [Fact]
    public async Task Only_the_configured_role_claim_makes_an_operator()
    {
        await using var app = await TestApp.StartAsync();

        Assert.True((await CallerOfAsync(app, TestTokens.For("ops-1", isOperator: true)))!.IsOperator);
        var otherRole = TestTokens.For("user-2", extraClaims: [new Claim("roles", "ReviewHub.Reader")]);
        Assert.False((await CallerOfAsync(app, otherRole))!.IsOperator);
        var roleAsOtherClaim = TestTokens.For("user-3", extraClaims: [new Claim("role", TestTokens.OperatorRole)]);
        Assert.False((await CallerOfAsync(app, roleAsOtherClaim))!.IsOperator);
    }

    [Theory]
    [InlineData("user/1")]
    [InlineData("user#1")]
    [InlineData("user\u00011")]
    public async Task A_token_whose_user_id_cannot_be_a_table_key_is_refused(string userId)
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Host.GetAsync("/api/accounts", TestTokens.For(userId));

        Assert.Equal(401, response.Status);
    }
}
