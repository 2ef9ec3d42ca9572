using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using ReviewHub.Security;

namespace ReviewHub.OpenApi;

/// <summary>Serves the API description (docs/openapi.yaml, embedded at build) so the SPA and tools can fetch it from
/// any environment.</summary>
internal sealed class OpenApiFunctions
{
    private static readonly Lazy<string> Document = new(() =>
    {
        using var stream = typeof(OpenApiFunctions).Assembly.GetManifestResourceStream("openapi.yaml")
            ?? throw new InvalidOperationException("openapi.yaml is not embedded in the app assembly.");
        return new StreamReader(stream).ReadToEnd();
    });

    [Function(nameof(GetOpenApiDocument))]
    [PublicEndpoint]
    public IActionResult GetOpenApiDocument(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi.yaml")] HttpRequest req) =>
        new ContentResult { Content = Document.Value, ContentType = "application/yaml; charset=utf-8",
            StatusCode = StatusCodes.Status200OK };
}
