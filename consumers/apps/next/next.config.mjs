/** @type {import('next').NextConfig} */
export default {
  // Each test run builds from scratch: writing Turbopack's cache would only cost time.
  experimental: { turbopackFileSystemCacheForBuild: false },
};
