using Microsoft.Extensions.Options;
using ReviewHub.Security;

namespace ReviewHub.Tests.Security;

public sealed class BearerTokenValidatorTests
{
    [Fact]
    public async Task When_the_authoritys_signing_keys_cannot_be_fetched_tokens_are_refused_not_crashed_on()
    {
        // Entra ID's metadata endpoint unreachable (here: nothing listens): every token is invalid, the request answers
        // 401.
        var validator = new BearerTokenValidator(Options.Create(new AuthenticationOptions
        {
            Issuer = TestTokens.Issuer,
            Audience = TestTokens.Audience,
            Authority = "https://127.0.0.1:9/tenant/v2.0",
        }));

        Assert.Null(await validator.ValidateAsync(TestTokens.For("user-1")));
    }

    [Fact]
    public async Task A_locally_signed_token_for_this_api_is_accepted()
    {
        var validator = new BearerTokenValidator(Options.Create(new AuthenticationOptions
        {
            Issuer = TestTokens.Issuer,
            Audience = TestTokens.Audience,
            SigningKey = TestTokens.SigningKey,
        }));

        var principal = await validator.ValidateAsync(TestTokens.For("user-1", "u@customer.test"));

        Assert.Equal(new Caller("user-1", "u@customer.test", false), Caller.From(principal!, TestTokens.OperatorRole));
    }
}
