using ReviewHub.Benchmarks;

// Runs one benchmark by name: dotnet run -c Release --project tests/ReviewHub.Benchmarks -- <name> [options]
var benchmarks = typeof(IBenchmark).Assembly.GetTypes()
    .Where(t => t is { IsClass: true, IsAbstract: false } && t.IsAssignableTo(typeof(IBenchmark)))
    .Select(t => (IBenchmark)Activator.CreateInstance(t)!)
    .ToDictionary(b => b.Name, StringComparer.OrdinalIgnoreCase);

if (args.Length == 0 || !benchmarks.TryGetValue(args[0], out var benchmark))
{
    Console.Error.WriteLine($"Usage: dotnet run -c Release --project tests/ReviewHub.Benchmarks -- " +
        $"<{string.Join('|', benchmarks.Keys.Order())}>");
    return 2;
}
return await benchmark.RunAsync(args[1..]);

namespace ReviewHub.Benchmarks
{
    /// <summary>A documented benchmark: prints its figures and ends with one <c>RESULT name=value ...</c>
    /// line.</summary>
    public interface IBenchmark
    {
        string Name { get; }

        Task<int> RunAsync(string[] args);
    }
}
