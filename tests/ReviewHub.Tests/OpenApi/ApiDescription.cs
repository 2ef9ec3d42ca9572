using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace ReviewHub.Tests.OpenApi;

/// <summary>
/// The committed API description (docs/openapi.yaml), parsed with Microsoft.OpenApi, and a validator that checks a real
/// response against the operation documented for the function that produced it (operationId = function name).
/// </summary>
internal static class ApiDescription
{
    private static readonly Uri BaseUri = new("https://reviewhub.test/openapi.json");
    private static readonly Lazy<Task<Loaded>> Instance = new(LoadAsync);

    public sealed record Loaded(OpenApiDocument Document, OpenApiDiagnostic Diagnostic, JsonNode Json,
        SchemaRegistry Registry);

    public sealed record Operation(string Path, string Method, string OperationId, JsonNode Node);

    public static Task<Loaded> GetAsync() => Instance.Value;

    public static string FilePath => Path.Combine(TestPaths.RepositoryRoot, "docs", "openapi.yaml");

    private static async Task<Loaded> LoadAsync()
    {
        var settings = new OpenApiReaderSettings();
        settings.AddYamlReader();
        await using var stream = File.OpenRead(FilePath);
        var result = await OpenApiDocument.LoadAsync(stream, "yaml", settings);
        var document = result.Document ?? throw new InvalidOperationException(
            $"docs/openapi.yaml did not parse: " +
                $"{string.Join("; ", result.Diagnostic?.Errors.Select(e => $"{e.Pointer} {e.Message}") ?? [])}");

        // Validate against the document as the parser understood it, serialised as OpenAPI 3.1 JSON (JSON Schema
        // 2020-12).
        using var writer = new StringWriter();
        document.SerializeAsV31(new OpenApiJsonWriter(writer));
        var text = writer.ToString();
        var json = JsonNode.Parse(text)!;
        var registry = new SchemaRegistry();
        registry.Register(new JsonElementBaseDocument(JsonDocument.Parse(text).RootElement, BaseUri));
        return new Loaded(document, result.Diagnostic!, json, registry);
    }

    public static async Task<IReadOnlyList<Operation>> OperationsAsync()
    {
        var loaded = await GetAsync();
        return loaded.Json["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject()
                .Where(m => m.Key is "get" or "post" or "put" or "patch" or "delete")
                .Select(m => new Operation(path.Key, m.Key.ToUpperInvariant(),
                    m.Value!["operationId"]!.GetValue<string>(), m.Value)))
            .ToList();
    }

    /// <summary>Checks status code, media type and body of <paramref name="response"/> against its documented
    /// operation; returns the problems found.</summary>
    public static async Task<IReadOnlyList<string>> ValidateAsync(TestResponse response)
    {
        var loaded = await GetAsync();
        var operations = await OperationsAsync();
        var operation = operations.SingleOrDefault(o => o.OperationId == response.FunctionName);
        if (operation is null)
        {
            return [$"{response.FunctionName} has no operation in docs/openapi.yaml."];
        }

        var responses = operation.Node["responses"]!.AsObject();
        var documented = responses[response.Status.ToString(CultureInfo.InvariantCulture)] ?? responses["default"];
        if (documented is null)
        {
            return [$"{operation.Method} {operation.Path} does not document status {response.Status} ({response})."];
        }
        documented = Resolve(loaded.Json, documented);
        var content = documented["content"]?.AsObject();
        if (content is null || content.Count == 0)
        {
            return string.IsNullOrEmpty(response.Body) ? []
                : [$"{operation.OperationId} {response.Status} documents no body but answered: {response.Body}"];
        }
        if (!content.TryGetPropertyValue(response.ContentType, out var media))
        {
            return [$"{operation.OperationId} {response.Status} answered {response.ContentType}; documented: " +
                $"{string.Join(", ", content.Select(c => c.Key))}."];
        }
        var schemaNode = media!["schema"];
        if (schemaNode is null || !response.ContentType.EndsWith("json", StringComparison.Ordinal))
        {
            return [];
        }

        var pointer = JsonPointerTo(loaded.Json, schemaNode);
        var schema = JsonSchema.FromText($$"""{"$ref":"{{BaseUri}}#{{pointer}}"}""", new BuildOptions { SchemaRegistry =
            loaded.Registry });
        using var body = JsonDocument.Parse(response.Body);
        var evaluation = schema.Evaluate(body.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List,
            RequireFormatValidation = true });
        return evaluation.IsValid
            ? []
            : (evaluation.Details ?? []).Where(d => d.Errors is { Count: > 0 })
                .Select(d => $"{operation.OperationId} {response.Status} at {d.InstanceLocation}: " +
                    $"{string.Join("; ", d.Errors!.Values)} — body {Truncate(response.Body)}")
                .ToList();
    }

    private static JsonNode Resolve(JsonNode root, JsonNode node) =>
        node["$ref"]?.GetValue<string>() is { } reference ? Resolve(root, Navigate(root, reference.TrimStart('#')))
            : node;

    private static JsonNode Navigate(JsonNode root, string pointer) =>
        pointer.Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Aggregate(root, (node, segment) => node[segment.Replace("~1", "/").Replace("~0", "~")]!);

    /// <summary>The URI-fragment JSON pointer of <paramref name="target"/> inside <paramref name="root"/> (schemas are
    /// validated in place, so their $refs resolve).</summary>
    private static string JsonPointerTo(JsonNode root, JsonNode target) => "/" + string.Join('/',
        target.GetPath().TrimStart('$').Split(['.', '['], StringSplitOptions.RemoveEmptyEntries)
            .Select(s => s.TrimEnd(']').Trim('\'')).Select(s => Uri.EscapeDataString(s.Replace("~", "~0").Replace("/",
                "~1"))));

    private static string Truncate(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
