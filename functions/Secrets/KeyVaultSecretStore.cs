using Azure.Security.KeyVault.Secrets;

namespace ReviewHub.Secrets;

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
