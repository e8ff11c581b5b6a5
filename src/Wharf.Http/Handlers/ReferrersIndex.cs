using System.Text.Json;
using Wharf.Core.Metadata;
using Wharf.Core.Protocol;

namespace Wharf.Http.Handlers;

/// <summary>The OCI image index that lists a subject's referrers, as the referrers API answers it.</summary>
public static class ReferrersIndex
{
    public static void Write(Utf8JsonWriter json, IEnumerable<Referrer> referrers)
    {
        json.WriteStartObject();
        json.WriteNumber("schemaVersion", 2);
        json.WriteString("mediaType", MediaTypes.OciIndex);
        json.WriteStartArray("manifests");
        foreach (var referrer in referrers)
        {
            json.WriteStartObject();
            json.WriteString("mediaType", referrer.MediaType);
            json.WriteString("digest", referrer.Digest.Value);
            json.WriteNumber("size", referrer.Size);
            if (referrer.ArtifactType is not null)
            {
                json.WriteString("artifactType", referrer.ArtifactType);
            }

            if (referrer.AnnotationsJson is not null)
            {
                json.WritePropertyName("annotations");
                json.WriteRawValue(referrer.AnnotationsJson, skipInputValidation: true);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }
}
