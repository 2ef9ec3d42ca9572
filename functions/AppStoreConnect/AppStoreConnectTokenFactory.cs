using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ReviewHub.AppStoreConnect;

/// <summary>
/// Signs the ES256 JWTs Apple requires, one per key, and reuses each until a minute before it expires
/// (Apple recommends reuse; signing per request would waste CPU and nothing else).
/// </summary>
public sealed class AppStoreConnectTokenFactory(IOptions<AppStoreConnectOptions> options, TimeProvider clock)
{
    private static readonly TimeSpan RenewBefore = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset ExpiresAt)> cache = new();
    private readonly JsonWebTokenHandler handler = new();

    public string GetToken(AppStoreConnectCredential credential)
    {
        var now = clock.GetUtcNow();
        var key = $"{credential.IssuerId}|{credential.KeyId}";
        if (cache.TryGetValue(key, out var cached) && cached.ExpiresAt - RenewBefore > now)
        {
            return cached.Token;
        }

        var expiresAt = now + options.Value.TokenLifetime;
        var token = Sign(credential, now, expiresAt);
        cache[key] = (token, expiresAt);
        return token;
    }

    private string Sign(AppStoreConnectCredential credential, DateTimeOffset issuedAt, DateTimeOffset expiresAt)
    {
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportFromPem(credential.PrivateKeyPem);
        var claims = new Dictionary<string, object>
        {
            ["aud"] = "appstoreconnect-v1",
            ["iat"] = issuedAt.ToUnixTimeSeconds(),
            ["exp"] = expiresAt.ToUnixTimeSeconds(),
        };
        // A team key names its issuer; an individual key has no issuer and says sub = "user".
        if (credential.IssuerId is { Length: > 0 } issuer)
        {
            claims["iss"] = issuer;
        }
        else
        {
            claims["sub"] = "user";
        }

        var descriptor = new SecurityTokenDescriptor
        {
            Claims = claims,
            SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(ecdsa) { KeyId = credential.KeyId }, SecurityAlgorithms.EcdsaSha256),
        };
        handler.SetDefaultTimesOnTokenCreation = false;
        return handler.CreateToken(descriptor);
    }
}
