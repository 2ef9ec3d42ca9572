using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ReviewHub.Security;

public static class SecurityServiceCollectionExtensions
{
    public static IServiceCollection AddReviewHubSecurity(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuthenticationOptions>()
            .Bind(configuration.GetSection(AuthenticationOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<BearerTokenValidator>();
        services.AddSingleton<EndpointAccess>();
        return services;
    }
}
