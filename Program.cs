using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using ReviewHub;
using ReviewHub.Security;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseMiddleware<AuthenticationMiddleware>();
builder.Services.AddReviewHub(builder.Configuration);
builder.Build().Run();
