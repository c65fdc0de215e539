import { Inbox } from './inbox.tsx';

export default function Home() {
  return (
    <main>
      <h1>Facteur</h1>
      <p>Déposez vos factures (Factur-X, CII, UBL, PDF, images) : elles sont traitées en arrière-plan, vous pouvez fermer la page.</p>
      <Inbox />
    </main>
  );
}
