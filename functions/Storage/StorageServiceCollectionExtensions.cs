using Azure.Core;
using Azure.Identity;
using Azure.Storage.Queues;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ReviewHub.Storage;

internal static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Tables and queues through <c>AddAzureClients</c>. Locally <c>Storage__Tables</c> / <c>Storage__Queues</c> hold a
    /// connection string (Azurite); in Azure they hold <c>endpoint</c> / <c>serviceUri</c> and the one managed identity
    /// credential is used.
    /// </summary>
    public static IServiceCollection AddStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddAzureClients(clients =>
        {
            clients.AddTableServiceClient(configuration.GetSection("Storage:Tables"));
            clients.AddQueueServiceClient(configuration.GetSection("Storage:Queues"))
                // The queue trigger decodes base64 (host.json messageEncoding); the SDK's default is plain text.
                .ConfigureOptions(options => options.MessageEncoding = QueueMessageEncoding.Base64);
            clients.UseCredential(CreateCredential(configuration));
        });
        services.AddSingleton<IMessageQueue, StorageMessageQueue>();
        services.AddSingleton<StorageProvisioner>();
        services.AddHostedService<StorageProvisioningService>();
        return services;
    }

    /// <summary>The app's single credential: the user-assigned managed identity in Azure, developer credentials
    /// locally.</summary>
    public static TokenCredential CreateCredential(IConfiguration configuration)
    {
        var clientId = configuration["AZURE_CLIENT_ID"];
        return string.IsNullOrEmpty(clientId)
            ? new DefaultAzureCredential()
            : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId));
    }
}
