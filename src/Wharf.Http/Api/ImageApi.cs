using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Wharf.Core.Services.Images;
using Wharf.Core.Services.Layers;

namespace Wharf.Http.Api;

/// <summary>
/// The JSON API's tag, image and layer-file endpoints (<see cref="ImageApiHandlers"/>). Repository names hold slashes,
/// so the name is the last route segment and everything else a query parameter.
/// </summary>
public static class ImageApi
{
    public static IServiceCollection AddWharfImageApi(this IServiceCollection services)
    {
        services.AddSingleton<ManifestSummaries>();
        services.AddSingleton<ImageDetailsService>();
        services.TryAddSingleton(new LayerBrowserOptions()); // The host binds the LayerBrowser section first.
        services.AddSingleton<LayerListingService>();
        return services;
    }

    public static IEndpointRouteBuilder MapWharfImageApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/tags/{**name}", context => ImageApiHandlers.RunAsync(context, ImageApiHandlers.ListTagsAsync));
        endpoints.MapDelete("/api/tags/{**name}", context => ImageApiHandlers.RunAsync(context, ImageApiHandlers.DeleteTagAsync));
        endpoints.MapGet("/api/image/{**name}", context => ImageApiHandlers.RunAsync(context, ImageApiHandlers.GetImageAsync));
        endpoints.MapGet("/api/files/{**name}", context => ImageApiHandlers.RunAsync(context, ImageApiHandlers.ListFilesAsync));
        return endpoints;
    }
}
