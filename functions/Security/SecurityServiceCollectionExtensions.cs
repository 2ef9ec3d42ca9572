using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ReviewHub.Configuration;

namespace ReviewHub.Security;

internal static class SecurityServiceCollectionExtensions
{
    public static IServiceCollection AddSecurity(this IServiceCollection services,
        IConfiguration configuration)
    {
        services.AddValidatedOptions<AuthenticationOptions>(configuration, AuthenticationOptions.Section);
        services.AddSingleton<BearerTokenValidator>();
        services.AddSingleton<EndpointAccess>();
        return services;
    }
}
