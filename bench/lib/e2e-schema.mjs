// The end-to-end BFF's schema: one patient read, two backend calls per
// request (patient, then its chart), one log line per resolver.
import { createSchema } from 'graphql-yoga';

export const PATIENT_QUERY = /* GraphQL */ `
  query PatientChart($id: ID!) {
    patient(id: $id) {
      id
      name
      chart { summary }
    }
  }
`;
export const PATIENT_VARIABLES = { id: 'p-0042' };

const typeDefs = /* GraphQL */ `
  type Query {
    patient(id: ID!): Patient
  }
  type Patient {
    id: ID!
    name: String!
    chart: Chart!
  }
  type Chart {
    summary: String!
  }
`;

/** @param {(value: string) => Promise<string>} say the backend call  @param {import('pino').Logger} logger */
export function e2eSchema(say, logger) {
  return createSchema({
    typeDefs,
    resolvers: {
      Query: {
        patient: async (_, { id }) => {
          const name = await say(id);
          logger.info({ patient: id }, 'patient loaded');
          return { id, name };
        },
      },
      Patient: {
        chart: async (patient) => {
          const summary = await say(`chart:${patient.id}`);
          logger.info({ patient: patient.id }, 'chart loaded');
          return { summary };
        },
      },
    },
  });
}
