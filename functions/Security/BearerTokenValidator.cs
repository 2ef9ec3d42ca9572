using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace ReviewHub.Security;

/// <summary>Validates issuer, audience, signature and lifetime of a bearer JWT.</summary>
internal sealed class BearerTokenValidator
{
    private readonly JsonWebTokenHandler handler = new() { MapInboundClaims = false };
    private readonly TokenValidationParameters parameters;

    public BearerTokenValidator(IOptions<AuthenticationOptions> options)
    {
        var settings = options.Value;
        parameters = new TokenValidationParameters
        {
            ValidIssuer = settings.Issuer,
            ValidAudience = settings.Audience,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            ClockSkew = settings.ClockSkew,
            NameClaimType = "name",
            RoleClaimType = "roles",
        };

        if (!string.IsNullOrWhiteSpace(settings.Authority))
        {
            parameters.ConfigurationManager = new ConfigurationManager<OpenIdConnectConfiguration>(
                settings.Authority.TrimEnd('/') + "/.well-known/openid-configuration",
                new OpenIdConnectConfigurationRetriever(),
                new HttpDocumentRetriever { RequireHttps = true });
        }
        else
        {
            parameters.IssuerSigningKey = new SymmetricSecurityKey(Convert.FromBase64String(settings.SigningKey!));
        }
    }

    public async Task<ClaimsPrincipal?> ValidateAsync(string token)
    {
        var result = await handler.ValidateTokenAsync(token, parameters);
        return result.IsValid ? new ClaimsPrincipal(result.ClaimsIdentity) : null;
    }
}
