using Microsoft.Extensions.DependencyInjection;

namespace ReviewHub.Apps;

internal static class AppsServiceCollectionExtensions
{
    public static IServiceCollection AddApps(this IServiceCollection services)
    {
        services.AddSingleton<AppStore>();
        return services;
    }
}
