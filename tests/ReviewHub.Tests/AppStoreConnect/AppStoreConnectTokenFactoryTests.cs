using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ReviewHub.AppStoreConnect;

namespace ReviewHub.Tests.AppStoreConnect;

/// <summary>The ES256 tokens App Store Connect requires, signed again and again in one worker process.</summary>
public sealed class AppStoreConnectTokenFactoryTests
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(19);

    private static AppStoreConnectTokenFactory Factory(TimeProvider clock) =>
        new(Options.Create(new AppStoreConnectOptions { TokenLifetime = Lifetime }), clock);

    private static (ECDsa Key, AppStoreConnectCredential Credential) NewKey(
        string? issuer = "issuer-1", string keyId = "KEY1234567")
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return (key, new AppStoreConnectCredential(issuer, keyId, key.ExportPkcs8PrivateKeyPem()));
    }

    [Fact]
    public void One_key_signs_a_fresh_token_at_each_of_a_hundred_renewals_in_one_process()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-03-01T08:00:00Z", CultureInfo.InvariantCulture));
        var factory = Factory(clock);
        var (key, credential) = NewKey();
        var tokens = new HashSet<string>();

        for (var renewal = 0; renewal < 100; renewal++)
        {
            var token = factory.GetToken(credential);
            AssertValid(token, key, credential, clock.GetUtcNow());
            Assert.Equal(token, factory.GetToken(credential)); // reused while it lives
            tokens.Add(token);
            clock.Advance(Lifetime); // past the renewal point: the next call signs again
        }

        Assert.Equal(100, tokens.Count);
    }

    [Fact]
    public void Two_factories_in_one_process_sign_with_the_same_key()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-03-01T08:00:00Z", CultureInfo.InvariantCulture));
        var (key, credential) = NewKey();

        AssertValid(Factory(clock).GetToken(credential), key, credential, clock.GetUtcNow());
        AssertValid(Factory(clock).GetToken(credential), key, credential, clock.GetUtcNow());
        clock.Advance(TimeSpan.FromHours(5));
        AssertValid(Factory(clock).GetToken(credential), key, credential, clock.GetUtcNow());
    }

    [Fact]
    public void A_key_registered_again_under_the_same_id_signs_at_once_with_the_new_private_key()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-03-01T08:00:00Z", CultureInfo.InvariantCulture));
        var factory = Factory(clock);
        var (oldKey, oldCredential) = NewKey();
        AssertValid(factory.GetToken(oldCredential), oldKey, oldCredential, clock.GetUtcNow());

        var (newKey, newCredential) = NewKey(oldCredential.IssuerId, oldCredential.KeyId);
        clock.Advance(TimeSpan.FromMinutes(1));

        AssertValid(factory.GetToken(newCredential), newKey, newCredential, clock.GetUtcNow());
    }

    [Fact]
    public void Expired_tokens_of_keys_no_longer_used_are_dropped()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-03-01T08:00:00Z", CultureInfo.InvariantCulture));
        var factory = Factory(clock);
        for (var i = 0; i < 50; i++)
        {
            factory.GetToken(NewKey(keyId: $"KEY{i:D7}").Credential);
        }
        Assert.Equal(50, factory.CachedTokens);

        clock.Advance(Lifetime * 2);
        factory.GetToken(NewKey(keyId: "KEYLATEST1").Credential);

        Assert.Equal(1, factory.CachedTokens);
    }

    [Fact]
    public void An_individual_key_says_sub_user_instead_of_an_issuer()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-03-01T08:00:00Z", CultureInfo.InvariantCulture));
        var (key, credential) = NewKey(issuer: null);

        var token = Factory(clock).GetToken(credential);

        var claims = AssertValid(token, key, credential, clock.GetUtcNow());
        Assert.Equal("user", claims.GetProperty("sub").GetString());
        Assert.False(claims.TryGetProperty("iss", out _));
    }

    /// <summary>Checks what Apple checks: ES256 signature, kid, audience, iat = now, the configured lifetime.</summary>
    private static JsonElement AssertValid(
        string token, ECDsa key, AppStoreConnectCredential credential, DateTimeOffset now)
    {
        var parts = token.Split('.');
        Assert.Equal(3, parts.Length);
        var signed = Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}");
        Assert.True(key.VerifyData(signed, Base64Url(parts[2]), HashAlgorithmName.SHA256),
            "The signature does not verify with the key's public key.");
        var header = JsonDocument.Parse(Base64Url(parts[0])).RootElement;
        Assert.Equal("ES256", header.GetProperty("alg").GetString());
        Assert.Equal(credential.KeyId, header.GetProperty("kid").GetString());
        var claims = JsonDocument.Parse(Base64Url(parts[1])).RootElement;
        Assert.Equal("appstoreconnect-v1", claims.GetProperty("aud").GetString());
        Assert.Equal(now.ToUnixTimeSeconds(), claims.GetProperty("iat").GetInt64());
        Assert.Equal((now + Lifetime).ToUnixTimeSeconds(), claims.GetProperty("exp").GetInt64());
        if (credential.IssuerId is { } issuer)
        {
            Assert.Equal(issuer, claims.GetProperty("iss").GetString());
        }
        return claims.Clone();
    }

    private static byte[] Base64Url(string value)
    {
        var padded = value.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded.PadRight(padded.Length + (4 - padded.Length % 4) % 4, '='));
    }
}
