// Tests load the AWS SDK directly too (to list buckets); its Node-22 notice is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
