using System.Collections.Concurrent;
using Azure.Security.KeyVault.Secrets;

namespace ReviewHub.Secrets;

/// <summary>
/// Where customer secrets live (ASC private keys, Slack and Zendesk tokens, webhook signing secrets). Tables keep only
/// the secret's name; the value lives in Key Vault in Azure, or in a local folder during development.
/// </summary>
public interface ISecretStore
{
    /// <summary>Stores a secret under a name (Key Vault naming: letters, digits, dashes) and returns that name as the
    /// reference.</summary>
    Task<string> SetAsync(string name, string value, CancellationToken cancellationToken);

    /// <summary>The secret's current value, or null when it does not exist.</summary>
    Task<string?> GetAsync(string reference, CancellationToken cancellationToken);

    Task DeleteAsync(string reference, CancellationToken cancellationToken);
}

/// <summary>Names secrets so they are valid Key Vault names and never collide across accounts.</summary>
public static class SecretNames
{
    public static string For(string purpose, params string[] keys) =>
        Validate(string.Join('-', [purpose, .. keys]).ToLowerInvariant());

    public static string Validate(string name) =>
        name.Length is > 0 and <= 127 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')
            ? name
            : throw new ArgumentException(
            $"'{name}' is not a valid secret name (letters, digits and dashes, at most 127).");
}

internal sealed class KeyVaultSecretStore(SecretClient client) : ISecretStore
{
    public async Task<string> SetAsync(string name, string value, CancellationToken cancellationToken)
    {
        try
        {
            await client.SetSecretAsync(name, value, cancellationToken);
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 409)
        {
            // Soft delete keeps a deleted secret's name taken until it is recovered or purged: recover it, then set the
            // new value.
            var recovery = await client.StartRecoverDeletedSecretAsync(name, cancellationToken);
            await recovery.WaitForCompletionAsync(cancellationToken);
            await client.SetSecretAsync(name, value, cancellationToken);
        }
        return name;
    }

    public async Task<string?> GetAsync(string reference, CancellationToken cancellationToken)
    {
        try
        {
            return (await client.GetSecretAsync(reference, version: null, cancellationToken)).Value.Value;
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    public async Task DeleteAsync(string reference, CancellationToken cancellationToken)
    {
        try
        {
            await client.StartDeleteSecretAsync(reference, cancellationToken);
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            // Already deleted.
        }
    }
}

/// <summary>Development and test store: one file per secret in a folder outside source control, cached in
/// memory.</summary>
internal sealed class LocalSecretStore(string directory) : ISecretStore
{
    private readonly ConcurrentDictionary<string, string> cache = new();

    public async Task<string> SetAsync(string name, string value, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(PathOf(name), value, cancellationToken);
        cache[name] = value;
        return name;
    }

    public async Task<string?> GetAsync(string reference, CancellationToken cancellationToken)
    {
        if (cache.TryGetValue(reference, out var value))
        {
            return value;
        }
        var path = PathOf(reference);
        return File.Exists(path) ? cache[reference] = await File.ReadAllTextAsync(path, cancellationToken) : null;
    }

    public Task DeleteAsync(string reference, CancellationToken cancellationToken)
    {
        cache.TryRemove(reference, out _);
        if (Directory.Exists(directory))
        {
            // A missing file is not an error, like Key Vault's 404 for a secret already gone.
            File.Delete(PathOf(reference));
        }
        return Task.CompletedTask;
    }

    private string PathOf(string name) => Path.Combine(directory, SecretNames.Validate(name));
}
