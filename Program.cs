using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using ReviewHub;
using ReviewHub.Http;
using ReviewHub.Observability;
using ReviewHub.Security;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseMiddleware<LogScopeMiddleware>();
builder.UseMiddleware<HttpProblemMiddleware>();
builder.UseMiddleware<AuthenticationMiddleware>();
builder.UseMiddleware<RouteIdMiddleware>();
builder.AddReviewHubTelemetry();
builder.Services.AddReviewHub(builder.Configuration);
builder.Build().Run();
