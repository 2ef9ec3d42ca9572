using System.Collections.Concurrent;

namespace ReviewHub.Secrets;

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
