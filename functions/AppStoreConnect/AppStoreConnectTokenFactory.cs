using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ReviewHub.AppStoreConnect;

/// <summary>
/// Signs the ES256 JWTs Apple requires, one per key, and reuses each until a minute before it expires
/// (Apple recommends reuse; signing per request would waste CPU and nothing else).
/// </summary>
/// <remarks>
/// Each signing imports the key, signs and disposes it, with Microsoft.IdentityModel's signature-provider cache turned
/// off. That cache is process-wide and keyed by the key's thumbprint: a cached provider would outlive the disposed key,
/// and the next token of the same key (a renewal, or another factory) would fail with ObjectDisposedException.
/// Signing happens once per key per token lifetime, so importing the key each time costs nothing that matters, no
/// private key stays in memory between signings, and a key registered again under the same id signs with its new
/// private key at once (tokens are cached by a hash of the whole credential). Expired tokens are dropped once per
/// token lifetime, so keys that are no longer used (rotated, removed apps) do not accumulate.
/// </remarks>
internal sealed class AppStoreConnectTokenFactory(IOptions<AppStoreConnectOptions> options, TimeProvider clock)
{
    private static readonly TimeSpan RenewBefore = TimeSpan.FromMinutes(1);
    private static readonly CryptoProviderFactory Uncached = new() { CacheSignatureProviders = false };
    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset ExpiresAt)> cache = new();
    private readonly JsonWebTokenHandler handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly Lock sweepLock = new();
    private DateTimeOffset nextSweepAt = DateTimeOffset.MinValue;

    /// <summary>Tokens held for reuse (for tests).</summary>
    internal int CachedTokens => cache.Count;

    public string GetToken(AppStoreConnectCredential credential)
    {
        var now = clock.GetUtcNow();
        var key = CacheKey(credential);
        if (cache.TryGetValue(key, out var cached) && cached.ExpiresAt - RenewBefore > now)
        {
            return cached.Token;
        }

        DropExpired(now);
        var expiresAt = now + options.Value.TokenLifetime;
        var token = Sign(credential, now, expiresAt);
        cache[key] = (token, expiresAt);
        return token;
    }

    /// <summary>The credential's identity, private key included, hashed so the cache holds no key material.</summary>
    private static string CacheKey(AppStoreConnectCredential credential) =>
        $"{credential.IssuerId}|{credential.KeyId}|"
        + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(credential.PrivateKeyPem)));

    private void DropExpired(DateTimeOffset now)
    {
        lock (sweepLock)
        {
            if (now < nextSweepAt)
            {
                return;
            }
            nextSweepAt = now + options.Value.TokenLifetime;
        }
        foreach (var entry in cache)
        {
            if (entry.Value.ExpiresAt <= now)
            {
                cache.TryRemove(entry); // only if it was not renewed meanwhile
            }
        }
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

        var signingKey = new ECDsaSecurityKey(ecdsa) { KeyId = credential.KeyId, CryptoProviderFactory = Uncached };
        var descriptor = new SecurityTokenDescriptor
        {
            Claims = claims,
            SigningCredentials = new SigningCredentials(signingKey, SecurityAlgorithms.EcdsaSha256),
        };
        return handler.CreateToken(descriptor);
    }
}
