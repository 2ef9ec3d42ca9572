using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ReviewHub.Tests.Infrastructure;

/// <summary>Mints bearer tokens the way Entra ID would, signed with the test configuration's local key.</summary>
internal static class TestTokens
{
    public const string Issuer = "https://login.reviewhub.test/v2.0";
    public const string Audience = "api://reviewhub-test";
    public const string OperatorRole = "ReviewHub.Operator";

    /// <summary>Base64 of 32 bytes: only ever used in tests.</summary>
    public const string SigningKey = "dGVzdC1vbmx5LXNpZ25pbmcta2V5LWZvci1yZXZpZXdodWI=";

    /// <summary>Base64 of 32 bytes that sign email confirmation links in tests.</summary>
    public const string ConfirmationSigningKey = "dGVzdC1vbmx5LWNvbmZpcm1hdGlvbi1saW5rLWtleSEh";

    public static string For(
        string userId, string? email = null, bool isOperator = false, string issuer = Issuer, string audience =
            Audience,
        string signingKey = SigningKey, DateTime? expires = null, DateTime? notBefore = null,
        IEnumerable<Claim>? extraClaims = null)
    {
        var claims = new List<Claim> { new("oid", userId), new("sub", userId) };
        claims.AddRange(extraClaims ?? []);
        if (email is not null)
        {
            claims.Add(new Claim("email", email));
        }
        if (isOperator)
        {
            claims.Add(new Claim("roles", OperatorRole));
        }
        var now = DateTime.UtcNow;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Subject = new ClaimsIdentity(claims),
            NotBefore = notBefore ?? now.AddMinutes(-1),
            IssuedAt = (notBefore ?? now).AddMinutes(-1),
            Expires = expires ?? now.AddHours(1),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Convert.FromBase64String(signingKey)),
                SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    /// <summary>The test Slack app's signing secret (Slack's documented example secret).</summary>
    public const string SlackSigningSecret = "8f742231b10e8888abcd99yyyzzz85a5";
}
