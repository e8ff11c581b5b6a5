using Amazon.Runtime;
using Amazon.S3;

namespace Wharf.Storage.S3;

/// <summary>Builds the SDK client with the settings S3-compatible stores need.</summary>
public static class S3ClientFactory
{
    /// <param name="options">The store's settings.</param>
    /// <param name="http">Builds the SDK's HTTP clients instead of the SDK's own factory (tests count requests this way).</param>
    public static AmazonS3Client Create(S3StorageOptions options, HttpClientFactory? http = null)
    {
        var endpoint = new Uri(options.Endpoint);
        var config = new AmazonS3Config
        {
            ServiceURL = options.Endpoint,
            ForcePathStyle = options.ForcePathStyle,
            AuthenticationRegion = options.Region,
            // Checksums only where S3 demands them: the SDK's default trailing checksums (aws-chunked bodies)
            // are refused by Ceph RGW 16 and some other S3-compatible stores (XAmzContentSHA256Mismatch).
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            Timeout = options.RequestTimeout,
            MaxErrorRetry = options.MaxRetries,
            UseHttp = endpoint.Scheme == Uri.UriSchemeHttp,
        };
        if (http is not null)
        {
            config.HttpClientFactory = http;
        }

        return new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config);
    }
}
