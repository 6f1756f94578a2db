// webpack's Node API (what webpack-cli calls): fails on any error or warning.
import webpack from 'webpack';
import config from './webpack.config.js';

webpack(config, (error, stats) => {
  if (error || !stats || stats.hasErrors() || stats.hasWarnings()) {
    console.error(error ?? stats?.toString('errors-warnings'));
    process.exit(1);
  }
  console.log(stats.toString({ colors: false, modules: false }));
});
