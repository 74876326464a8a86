import { it } from 'vitest';
import { startTestApp } from '../support/app.js';
const Q = 'mutation Create($id: UUID! = "3fa85f64-5717-4562-b3fc-2c963f66afa6", $expiresIn: Duration = "45m") { createRecoveryLink(input: { identityId: $id, expiresIn: $expiresIn }) { expiresAt } }';
it('probe', async () => {
  for (const engine of ['true', 'false']) {
    const app = await startTestApp({ COMPILED_EXECUTION: engine });
    for (const variables of [{}, { expiresIn: null }, { expiresIn: '2h' }])
      console.log(engine, JSON.stringify(variables), new Date().toISOString(), JSON.stringify((await app.graphql(Q, variables)).body));
    await app.stop();
  }
});
