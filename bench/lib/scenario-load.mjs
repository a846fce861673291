// A row of the scenario table as load: autocannon on one endpoint, or the mixed workload's closed
// loop over the endpoints with a weight (autocannon ties a connection to one service).
import { runAutocannon, runMix } from './load.mjs';
import { keeper, MIX, urlOf } from './scenarios.mjs';

/** The row's load on `connections`, as a function of seconds that resolves with its figures. */
export function scenarioLoad({ state, config, life }, scenario, connections) {
  const common = { connections, maxRequests: config.settings.maxRequests, signal: life.signal };
  if (scenario.mix) return (seconds) => runMix({ ...common, seconds, kinds: mixKinds(state) });
  const requests = [
    {
      method: scenario.method,
      path: scenario.path,
      setupRequest: (req) => withPayload(req, scenario.send(state)),
      onResponse: keeper(scenario, state),
    },
  ];
  const url = urlOf(state, scenario);
  return (seconds) => runAutocannon({ ...common, url, seconds, requests });
}

function mixKinds(state) {
  return MIX.map((endpoint) => ({
    name: endpoint.key,
    weight: endpoint.mixWeight,
    next: () => ({
      url: `${urlOf(state, endpoint)}${endpoint.path}`,
      method: endpoint.method,
      ...endpoint.send(state),
    }),
    onResponse: keeper(endpoint, state),
  }));
}

/** An autocannon request with a JSON body and a bearer token, as http.mjs's request() sends them. */
function withPayload(req, { token, body }) {
  const headers = { ...req.headers };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body === undefined) return { ...req, headers };
  headers['content-type'] = 'application/json';
  return { ...req, headers, body: JSON.stringify(body) };
}
