using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReviewHub.Tests.Infrastructure;

internal sealed record FunctionBinding(
    string Name, string Type, string Direction, string? Route, IReadOnlyList<string>? Methods, string? QueueName,
        string? Schedule,
    string? AuthLevel, string? Connection);

internal sealed record FunctionDescription(string Name, string EntryPoint, string ScriptFile,
    IReadOnlyList<FunctionBinding> Bindings)
{
    public FunctionBinding Trigger => Bindings.Single(b => b.Type.EndsWith("Trigger", StringComparison.Ordinal));
    public bool IsHttp => Trigger.Type == "httpTrigger";
}

/// <summary>The host contract as the build wrote it: bin/.../functions.metadata.</summary>
internal static class FunctionMetadata
{
    private static readonly Lazy<IReadOnlyList<FunctionDescription>> Functions = new(Read);

    public static IReadOnlyList<FunctionDescription> All => Functions.Value;

    public static IEnumerable<FunctionDescription> Http => All.Where(f => f.IsHttp);

    private static IReadOnlyList<FunctionDescription> Read()
    {
        var path = Path.Combine(TestPaths.FunctionAppOutput, "functions.metadata");
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { NumberHandling =
            JsonNumberHandling.AllowReadingFromString };
        return JsonSerializer.Deserialize<List<FunctionDescription>>(File.ReadAllText(path), options)
            ?? throw new InvalidOperationException($"{path} is empty.");
    }
}
