using ReviewHub.Benchmarks;

// Runs one benchmark by name: dotnet run -c Release --project tests/ReviewHub.Benchmarks -- <name> [options]
IBenchmark[] all =
[
    new ConnectBenchmark(), new DedupeBenchmark(), new DeliveryBenchmark(), new FreshnessBenchmark(),
    new FuzzBenchmark(), new IngestionBenchmark(), new MonthBenchmark(), new ReplyModerationBenchmark(),
    new SchedulerBenchmark(),
];
var benchmarks = all.ToDictionary(b => b.Name, StringComparer.OrdinalIgnoreCase);

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
