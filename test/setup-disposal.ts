import { installDisposal } from './helpers/disposal';

installDisposal();
