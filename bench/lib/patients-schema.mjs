// A small but realistic BFF schema: a list with nested objects, some
// resolvers synchronous, some returning promises (as a data loader would),
// and plain properties resolved by graphql's default resolver.
import { createSchema } from 'graphql-yoga';

const typeDefs = /* GraphQL */ `
  type Query {
    ward(id: ID!): Ward
  }
  type Ward {
    id: ID!
    name: String!
    patients(first: Int!): [Patient!]!
  }
  type Patient {
    id: ID!
    name: String!
    appointments(limit: Int!): [Appointment!]!
  }
  type Appointment {
    id: ID!
    at: String!
    doctor: Doctor!
  }
  type Doctor {
    id: ID!
    name: String!
  }
`;

/** 3 patients × 2 appointments: 1 + 1 + 3 + 6 = 11 explicit resolver calls per query. */
export const WARD_QUERY = /* GraphQL */ `
  query WardOverview($id: ID!) {
    ward(id: $id) {
      id
      name
      patients(first: 3) {
        id
        name
        appointments(limit: 2) {
          id
          at
          doctor { id name }
        }
      }
    }
  }
`;
export const WARD_VARIABLES = { id: 'w7' };

const resolvers = {
  Query: {
    ward: (_, { id }) => ({ id, name: `Ward ${id}` }),
  },
  Ward: {
    patients: async (ward, { first }) => Array.from({ length: first }, (_, i) => ({ id: `${ward.id}-p${i}`, name: `Patient ${i}` })),
  },
  Patient: {
    appointments: async (patient, { limit }) =>
      Array.from({ length: limit }, (_, i) => ({ id: `${patient.id}-a${i}`, at: '2025-11-24T09:00:00Z', doctorId: `d${i}` })),
  },
  Appointment: {
    doctor: (appointment) => ({ id: appointment.doctorId, name: `Dr ${appointment.doctorId}` }),
  },
};

export function patientsSchema() {
  return createSchema({ typeDefs, resolvers });
}
