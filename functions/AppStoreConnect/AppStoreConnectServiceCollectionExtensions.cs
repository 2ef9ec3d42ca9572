using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ReviewHub.Http;
using ReviewHub.Configuration;

namespace ReviewHub.AppStoreConnect;

internal static class AppStoreConnectServiceCollectionExtensions
{
    public static IServiceCollection AddAppStoreConnect(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<AppStoreConnectOptions>(configuration, AppStoreConnectOptions.Section);
        services.AddSingleton<AppStoreConnectTokenFactory>();
        services.AddSingleton<AppStoreConnectCredentialStore>();
        services.AddHttpClient<AppStoreConnectClient>()
            .AddOutboundResilience((provider, resilience) =>
                resilience.AttemptTimeout.Timeout = provider.GetRequiredService<IOptions<AppStoreConnectOptions>>()
                .Value.Timeout);
        return services;
    }
}
