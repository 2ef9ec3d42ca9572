namespace ReviewHub.Secrets;

/// <summary>
/// Where customer secrets live (ASC private keys, Slack and Zendesk tokens, webhook signing secrets). Tables keep only
/// the secret's name; the value lives in Key Vault in Azure, or in a local folder during development.
/// </summary>
internal interface ISecretStore
{
    /// <summary>Stores a secret under a name (Key Vault naming: letters, digits, dashes) and returns that name as the
    /// reference.</summary>
    Task<string> SetAsync(string name, string value, CancellationToken cancellationToken);

    /// <summary>The secret's current value, or null when it does not exist.</summary>
    Task<string?> GetAsync(string reference, CancellationToken cancellationToken);

    Task DeleteAsync(string reference, CancellationToken cancellationToken);
}
