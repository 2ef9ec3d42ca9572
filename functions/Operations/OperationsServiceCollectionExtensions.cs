using Microsoft.Extensions.DependencyInjection;

namespace ReviewHub.Operations;

/// <summary>Operator tools that serve every feature's queues.</summary>
internal static class OperationsServiceCollectionExtensions
{
    public static IServiceCollection AddOperations(this IServiceCollection services) =>
        services.AddSingleton<PoisonReplay>();
}
