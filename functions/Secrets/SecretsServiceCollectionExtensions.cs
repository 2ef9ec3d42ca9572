using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ReviewHub.Secrets;

internal static class SecretsServiceCollectionExtensions
{
    /// <summary>Key Vault when <c>KeyVault__Uri</c> is set (Azure); otherwise the folder <c>Secrets__LocalDirectory</c>
    /// (default .secrets).</summary>
    public static IServiceCollection AddSecrets(this IServiceCollection services, IConfiguration configuration)
    {
        var vaultUri = configuration["KeyVault:Uri"];
        if (!string.IsNullOrWhiteSpace(vaultUri))
        {
            services.AddAzureClients(clients => clients.AddSecretClient(new Uri(vaultUri)));
            services.AddSingleton<ISecretStore, KeyVaultSecretStore>();
        }
        else
        {
            var directory = configuration["Secrets:LocalDirectory"]
                ?? Path.Combine(Environment.CurrentDirectory, ".secrets");
            services.AddSingleton<ISecretStore>(new LocalSecretStore(directory));
        }
        return services;
    }
}
