// GraphQL over real HTTP to a fixture BFF.

export interface PatientResponse {
  status: number;
  body: { data?: { patient?: { id: string; summary: string } } | null; errors?: { message: string }[] };
}

/** `{ patient(id) { id summary } }` as the tenant behind `token` (a fixture token, see TOKENS). */
export async function postQuery(url: string, patientId: string, token: string, headers: Record<string, string> = {}): Promise<PatientResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify({ query: `{ patient(id: ${JSON.stringify(patientId)}) { id summary } }` }),
  });
  return { status: response.status, body: (await response.json()) as PatientResponse['body'] };
}
